package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Authenticated media from another verified path of its endpoint moves the endpoint's media there. */
class PathFollowTest {
  private final StageFixture f = new StageFixture();
  private final List<Object[]> followed = new ArrayList<>();
  private final PathFollow stage = new PathFollow((e, from, via) -> followed.add(new Object[] {e, from}));

  @Test
  void mediaOnAnUnlatchedVerifiedPathMovesTheEndpointThere() {
    Endpoint e = f.endpoint("a");
    InetSocketAddress other = new InetSocketAddress("127.0.0.1", 5999);
    ReceivedPacket in = f.arrived(e, StageFixture.rtp(111, 5, 1, 960, new byte[10]));
    in.reset(other, null, in.wireLength, e, e, in.now);
    assertTrue(stage.run(in));
    assertEquals(1, followed.size());
    assertSame(e, followed.get(0)[0]);
    assertEquals(other, followed.get(0)[1]);
  }

  @Test
  void mediaOnTheLatchedPathMovesNothingAndNothingIsDropped() {
    Endpoint e = f.endpoint("a");
    assertTrue(stage.run(f.arrived(e, StageFixture.rtp(111, 5, 1, 960, new byte[10]))));
    assertTrue(followed.isEmpty());
    assertEquals(0, stage.dropped());
  }
}
