package uk.co.lchat.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Where the comparison's CPU figures are read from: /proc/PID/stat and a node's Prometheus text. */
class CpuWindowTest {
  @Test
  void utimeAndStimeAreReadAfterACommandNameWithSpacesAndParentheses() {
    // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ...
    String stat = "4242 (my (odd) janus) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 566 0 0 20 0 9 0";
    assertEquals(18.0, CpuWindow.cpuSecondsOfStat(stat), 1e-9, "(1234 + 566) ticks at 100 a second");
  }

  @Test
  void thisProcessHasSpentSomeCpu() {
    assertTrue(CpuWindow.procCpuSeconds(ProcessHandle.current().pid()) > 0);
  }

  @Test
  void anUnlabelledSampleIsFoundInPrometheusText() {
    String text = """
        # HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
        # TYPE process_cpu_seconds_total counter
        process_cpu_seconds_total 12.5
        lchat_sent_packets_total 3.0E7
        lchat_ice_succeeded_total{transport="udp",} 4.0
        """;
    assertEquals(12.5, CpuWindow.sample(text, "process_cpu_seconds_total"));
    assertEquals(3.0e7, CpuWindow.sample(text, "lchat_sent_packets_total"));
    assertTrue(Double.isNaN(CpuWindow.sample(text, "lchat_missing_total")));
  }
}
