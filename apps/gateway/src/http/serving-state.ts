/**
 * Whether this gateway replica still takes new traffic. On SIGTERM it is
 * marked stopping first: `/health/ready` answers 503 so that load balancers
 * take the replica out of rotation during SHUTDOWN_DELAY_MS, while requests
 * that still arrive are served normally.
 */
export class ServingState {
  private stopRequested = false;

  get stopping(): boolean {
    return this.stopRequested;
  }

  markStopping(): void {
    this.stopRequested = true;
  }
}
