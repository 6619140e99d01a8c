package uk.co.lchat.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

class AutoscalerSettingsTest {
  private static Config with(String hocon) {
    return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.load()).resolve();
  }

  private static final AutoscalerSettings.NodeTemplate NODE = new AutoscalerSettings.NodeTemplate("127.0.0.1",
      "127.0.0.1:25520", List.of(), "uk.co.lchat.node.Main");

  @Test
  void thisModulesReferenceConfHoldsTheAutoscalersDefaults() {
    AutoscalerSettings a = AutoscalerSettings.fromConfig(ConfigFactory.load());
    assertFalse(a.enabled());
    assertEquals("kubernetes", a.provider());
    assertEquals("lchat", a.statefulset());
    assertEquals(List.of("-Xmx1g"), a.local().jvmOptions());
    assertTrue(a.local().command().isEmpty());
    assertEquals(1, a.local().fixedNodes());
    assertTrue(a.local().logDir().endsWith("lchat-nodes"));
    assertEquals(Duration.ofSeconds(10), a.interval());
    assertEquals(new ScalingPolicy(0.6, 0.1, 1, 10, Duration.ofSeconds(60), Duration.ofSeconds(300), 0.002),
        a.policy());
  }

  @Test
  void theLocalProviderCountsTheNodesItDidNotStart() throws Exception {
    AutoscalerSettings a = AutoscalerSettings.fromConfig(with(
        "lchat.autoscaler { provider = local, local.fixed-nodes = 3 }"));
    try (LocalProcessProvider local = assertInstanceOf(LocalProcessProvider.class, a.capacityProvider(NODE))) {
      assertEquals(3, local.current());
    }
  }

  @Test
  void anUnknownProviderIsRefusedWithTheKeyAndItsChoices() {
    AutoscalerSettings a = AutoscalerSettings.fromConfig(with("lchat.autoscaler.provider = cloud"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.capacityProvider(NODE));
    assertEquals("lchat.autoscaler.provider: kubernetes or local, not cloud", e.getMessage());
  }

  @Test
  void aPolicyOutOfRangeIsRefusedOnlyWhenThePolicyIsMade() {
    // A node that does not run the autoscaler never builds its policy, so it starts whatever the policy says.
    AutoscalerSettings a = AutoscalerSettings.fromConfig(with("lchat.autoscaler.target-utilisation = 2"));
    assertThrows(IllegalArgumentException.class, a::policy);
  }
}
