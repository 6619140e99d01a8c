package uk.co.lchat.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StressLevelTest {
  @Test
  void whicheverOfPacketsAndCpuIsNearerItsCapacityCounts() {
    StressLevel capacity = new StressLevel(100_000, 0.8);
    assertEquals(0.5, capacity.of(50_000, 0.2), 1e-9, "packets at half capacity, CPU at a quarter");
    assertEquals(1.0, capacity.of(10_000, 0.8), 1e-9, "CPU at its target");
    assertEquals(1.5, capacity.of(150_000, 0.1), 1e-9, "overloaded shows above 1");
    assertEquals(0.1, capacity.of(10_000, -1), 1e-9, "unknown CPU counts as none");
    assertThrows(IllegalArgumentException.class, () -> new StressLevel(0, 0.8));
    assertThrows(IllegalArgumentException.class, () -> new StressLevel(1, 1.5));
  }
}
