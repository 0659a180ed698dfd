import { AppError } from '../../functions/domain/shared/errors';

/** The AppError a promise rejects with; fails the test when it resolves or throws anything else. */
export async function appError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}
