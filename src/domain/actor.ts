/** The person behind a request, as the services see them: no Slack types, just facts. */
export interface Actor {
  workspaceId: string;
  userId: string;
  isCoordinator: boolean;
  /** From another workspace over Slack Connect: may take part, never administer. */
  isExternal: boolean;
}
