package uk.co.lchat.media.router;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The packet's stream on its transport, by SSRC; an unknown SSRC is left to the stages after it. */
class StreamLookupTest {
  private final StageFixture f = new StageFixture();
  private final Endpoint e = f.endpoint("a");
  private final StreamLookup stage = new StreamLookup();

  @Test
  void aPublishedSsrcFindsItsPublication() {
    Publication p = new Publication(e, 0xABCD, "audio", 111, 48000, -1);
    e.incoming.put(p.ssrc, p);
    ReceivedPacket in = f.parsed(e, StageFixture.rtp(111, 0xABCD, 1, 960, new byte[20]));
    assertTrue(stage.run(in));
    assertSame(p, in.publication);
  }

  @Test
  void anUnknownSsrcPassesOnWithoutAPublication() {
    ReceivedPacket in = f.parsed(e, StageFixture.rtp(111, 0x1111, 1, 960, new byte[20]));
    assertTrue(stage.run(in));
    assertNull(in.publication);
  }
}
