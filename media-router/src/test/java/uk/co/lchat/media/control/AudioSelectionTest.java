package uk.co.lchat.media.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AudioSelectionTest {
  private final Map<String, Double> loud = new HashMap<>();

  private String[] assign(String[] holders) {
    List<String> ranked = loud.keySet().stream()
        .sorted(Comparator.comparingDouble((String s) -> loud.get(s)).reversed().thenComparing(s -> s)).toList();
    return AudioSelection.assign(holders, ranked, loud::containsKey, loud::get);
  }

  @Test
  void emptySlotsFillWithTheLoudestAndFewerSourcesThanSlotsAllGetOne() {
    loud.put("a", 90.0);
    loud.put("b", 10.0);
    assertArrayEquals(new String[] {"a", "b", null}, assign(new String[3]));
  }

  @Test
  void aNewSpeakerTakesTheSlotOfTheQuietestHolderAndOthersKeepTheirs() {
    loud.putAll(Map.of("a", 90.0, "b", 5.0, "c", 4.0, "d", 3.0));
    String[] now = assign(new String[3]);
    assertArrayEquals(new String[] {"a", "b", "c"}, now);
    loud.put("d", 95.0); // d starts talking
    assertArrayEquals(new String[] {"a", "b", "d"}, assign(now), "c, the quietest, gives way; a and b stay put");
  }

  @Test
  void equallyQuietSourcesDoNotSwap() {
    loud.putAll(Map.of("a", 3.0, "b", 2.0, "c", 1.0));
    String[] now = {"a", "c"};
    // b ranks above c now, but only by 1: c keeps its slot.
    assertArrayEquals(new String[] {"a", "c"}, assign(now));
  }

  @Test
  void aSourceThatLeftFreesItsSlotAtOnce() {
    loud.putAll(Map.of("a", 3.0, "c", 1.0));
    assertArrayEquals(new String[] {"c", "a"}, assign(new String[] {"gone", "a"}),
        "c fills the slot of the one who left; a stays where it was");
  }
}
