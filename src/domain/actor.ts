/** The person behind a request, as the services see them: no Slack types, just facts. */
export interface Actor {
  workspaceId: string;
  userId: string;
  isCoordinator: boolean;
  /** From another workspace over Slack Connect: may take part, never administer. */
  isExternal: boolean;
  /** Slack did not say who this is (users.info failed or timed out): treated as external and not a coordinator. */
  unverified?: true;
}
