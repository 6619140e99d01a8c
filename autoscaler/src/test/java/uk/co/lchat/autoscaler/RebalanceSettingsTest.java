package uk.co.lchat.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.typesafe.config.ConfigFactory;

class RebalanceSettingsTest {
  @Test
  void thisModulesReferenceConfHoldsTheRebalancersDefaults() {
    RebalanceSettings r = RebalanceSettings.fromConfig(ConfigFactory.load());
    assertTrue(r.enabled());
    assertEquals(Duration.ofSeconds(10), r.interval());
    assertEquals(new RebalancePolicy(0.85, 0.5, 0.25, Duration.ofSeconds(30)), r.policy());
  }

  @Test
  void overridesKeepTheKeyNamesUsersAlreadyHave() {
    RebalanceSettings r = RebalanceSettings.fromConfig(ConfigFactory.parseString(
        "lchat.rebalance { enabled = off, interval = 2s, overloaded = 0.9, idle = 0.2, max-share = 0.5,"
            + " cooldown = 1m }").withFallback(ConfigFactory.load()));
    assertFalse(r.enabled());
    assertEquals(Duration.ofSeconds(2), r.interval());
    assertEquals(new RebalancePolicy(0.9, 0.2, 0.5, Duration.ofMinutes(1)), r.policy());
  }

  @Test
  void anIdleThresholdAboveTheOverloadedOneIsRefusedWhenThePolicyIsMade() {
    RebalanceSettings r = RebalanceSettings.fromConfig(ConfigFactory.parseString("lchat.rebalance.idle = 0.9")
        .withFallback(ConfigFactory.load()));
    assertThrows(IllegalArgumentException.class, r::policy);
  }
}
