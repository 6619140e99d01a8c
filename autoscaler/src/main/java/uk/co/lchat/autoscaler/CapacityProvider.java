package uk.co.lchat.autoscaler;

import java.io.IOException;

/** Where nodes come from: Kubernetes (a StatefulSet's scale) or processes on this machine. */
public interface CapacityProvider {
  /** The node count the provider currently asks for. */
  int current() throws IOException, InterruptedException;

  /** Asks for {@code nodes} nodes. Removing nodes is for the provider to do after they drained. */
  void scaleTo(int nodes) throws IOException, InterruptedException;
}
