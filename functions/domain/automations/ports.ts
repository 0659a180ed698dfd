import type { Automation, AutomationRun, AutomationStatus } from './automation';

/** Automations, their daily runs, and who each has messaged (for its cooldown). */
export interface AutomationRepository {
  create(automation: Automation): Promise<void>;
  get(id: string): Promise<Automation | undefined>;
  list(): Promise<Automation[]>;
  /** Moves an automation between active and paused (one conditional update); undefined when it was not in `from`. */
  setStatus(
    id: string,
    from: AutomationStatus,
    to: AutomationStatus,
    at: string,
  ): Promise<Automation | undefined>;
  /**
   * Claims a local day's run of an automation, once: true for the one caller that moved
   * `lastRunDay` to `day` (with `lastRunAt`), false when that day ran already.
   */
  claimRun(id: string, day: string, at: string): Promise<boolean>;
  /** Records a message (step) of a day's run; false when that step of that day already has a campaign. */
  claimStep(
    run: Pick<AutomationRun, 'automationId' | 'day' | 'at'>,
    step: number,
    campaignId: string,
  ): Promise<boolean>;
  /** The runs of an automation since `sinceDay` (inclusive), oldest first. */
  runs(id: string, sinceDay: string): Promise<AutomationRun[]>;
  /**
   * Records that the automation messaged a contact, unless it did within `cooldownDays` (by
   * another campaign): false then. The same campaign is admitted again (a retried send).
   */
  markMessaged(
    automationId: string,
    contactId: string,
    campaignId: string,
    at: string,
    cooldownDays: number,
  ): Promise<boolean>;
}
