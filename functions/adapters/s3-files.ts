import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ImportFiles } from '../domain/imports/ports';

/**
 * Uploaded import files in an S3 bucket (the stack's, encrypted, private; an S3 emulator
 * locally). The client uploads with a presigned PUT, so a file of any size never passes through
 * the API; the worker streams it back from a byte offset, so memory stays flat.
 */
export class S3ImportFiles implements ImportFiles {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  uploadUrl(key: string, expiresSeconds: number): Promise<string> {
    return getSignedUrl(this.s3, new PutObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: expiresSeconds,
    });
  }

  async size(key: string): Promise<number | undefined> {
    try {
      const res = await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return res.ContentLength;
    } catch (err) {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404)
        return undefined;
      throw err;
    }
  }

  async *read(key: string, offset: number): AsyncIterable<Uint8Array> {
    const res = await this.s3.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ...(offset > 0 ? { Range: `bytes=${offset}-` } : {}),
      }),
    );
    const body = res.Body as AsyncIterable<Uint8Array> | undefined;
    if (!body) return;
    yield* body;
  }

  async write(key: string, body: AsyncIterable<Uint8Array>): Promise<void> {
    await new Upload({
      client: this.s3,
      params: {
        Bucket: this.bucket,
        Key: key,
        Body: Readable.from(body),
        ContentType: 'text/csv; charset=utf-8',
      },
    }).done();
  }

  async remove(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
