package uk.co.lchat.media.control;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Which participants a router asks to move when it sheds load. Moving a whole room keeps its media on one node (no
 * relay), so rooms that fit go whole, smallest first; what is left comes from the largest remaining room,
 * receive-only participants first (their move sends no published track over a new relay).
 */
public final class ShedChoice {
  private ShedChoice() {}

  /** A participant on the router: its id and whether it publishes tracks here. */
  public record Candidate(String participantId, boolean publishing) {}

  /**
   * @param rooms the router's participants by room, each list in attach order
   * @param count how many to move at most
   * @return the ids to move, at most {@code count}
   */
  public static List<String> choose(Map<String, List<Candidate>> rooms, int count) {
    List<String> chosen = new ArrayList<>();
    if (count <= 0) {
      return chosen;
    }
    List<List<Candidate>> bySize = new ArrayList<>(rooms.values());
    bySize.sort(Comparator.comparingInt(List::size));
    List<Candidate> largestLeft = null;
    for (List<Candidate> room : bySize) {
      if (room.size() <= count - chosen.size()) {
        room.forEach(c -> chosen.add(c.participantId()));
      } else {
        largestLeft = room; // sorted by size: the last one not taken is the largest
      }
    }
    if (largestLeft != null) {
      List<Candidate> order = new ArrayList<>(largestLeft);
      order.sort(Comparator.comparing(Candidate::publishing)); // receive-only first, attach order kept otherwise
      for (int i = 0; i < order.size() && chosen.size() < count; i++) {
        chosen.add(order.get(i).participantId());
      }
    }
    return chosen;
  }
}
