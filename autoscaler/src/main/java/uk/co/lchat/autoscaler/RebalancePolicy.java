package uk.co.lchat.autoscaler;

import java.time.Duration;
import java.util.Collection;

/**
 * When one node is overloaded (stress at least {@code overloaded}) while another that takes participants is idle
 * (stress at most {@code idle}), move some of the busy node's participants to the idle one: enough to bring both to
 * the middle if stress is shared evenly by participants, at most {@code maxShare} of the busy node's participants
 * in one move, and no move within {@code cooldown} of the last (moved participants' load shows in the stress only
 * after the rate window).
 */
public record RebalancePolicy(double overloaded, double idle, double maxShare, Duration cooldown) {
  public RebalancePolicy {
    if (idle < 0 || overloaded <= idle || maxShare <= 0 || maxShare > 1) {
      throw new IllegalArgumentException("rebalance: 0 <= idle < overloaded and 0 < max-share <= 1");
    }
  }

  /** One node: its stress, participants, and whether it takes participants (false while it drains). */
  public record NodeState(String node, double stress, int participants, boolean takesParticipants) {}

  /** A decision: move {@code count} participants from {@code from} to {@code to} (count 0: no move), and why. */
  public record Decision(String from, String to, int count, String reason, double fromStress, double toStress) {
    public boolean moves() {
      return count > 0;
    }

    static Decision none(String reason) {
      return new Decision(null, null, 0, reason, 0, 0);
    }
  }

  /**
   * @param sinceLastMove time since the last move (null if none yet)
   */
  public Decision decide(Collection<NodeState> nodes, Duration sinceLastMove) {
    NodeState busiest = null;
    NodeState quietest = null;
    for (NodeState n : nodes) {
      if (!n.takesParticipants()) {
        continue; // a draining node is emptied by its drain
      }
      if (busiest == null || n.stress() > busiest.stress()) {
        busiest = n;
      }
      if (quietest == null || n.stress() < quietest.stress()) {
        quietest = n;
      }
    }
    if (busiest == null || busiest == quietest) {
      return Decision.none("fewer than two nodes");
    }
    if (busiest.stress() < overloaded) {
      return new Decision(null, null, 0, "no node overloaded", busiest.stress(), quietest.stress());
    }
    if (quietest.stress() > idle) {
      return new Decision(null, null, 0, "no idle node", busiest.stress(), quietest.stress());
    }
    if (busiest.participants() < 2) {
      return new Decision(null, null, 0, "too few participants to move", busiest.stress(), quietest.stress());
    }
    if (sinceLastMove != null && sinceLastMove.compareTo(cooldown) < 0) {
      return new Decision(null, null, 0, "cool-down", busiest.stress(), quietest.stress());
    }
    int p = busiest.participants();
    int even = (int) Math.ceil(p * (busiest.stress() - quietest.stress()) / (2 * busiest.stress()));
    int cap = Math.max(1, (int) Math.floor(maxShare * p));
    return new Decision(busiest.node(), quietest.node(), Math.max(1, Math.min(even, cap)),
        "a node is overloaded while another is idle", busiest.stress(), quietest.stress());
  }
}
