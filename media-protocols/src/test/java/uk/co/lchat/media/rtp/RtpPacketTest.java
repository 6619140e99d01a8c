package uk.co.lchat.media.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import uk.co.lchat.media.packet.PacketKind;

class RtpPacketTest {
  static final HexFormat HEX = HexFormat.of();

  // V=2, X=1, PT=111, seq 0x1234, ts 0x11223344, ssrc 0xCAFEBABE, one-byte extensions: id 1 audio level (V=1, 0x2A),
  // id 3 two bytes, then 1 byte of padding, then payload "abcd".
  static final byte[] AUDIO = HEX.parseHex("90ef1234" + "11223344" + "cafebabe" + "bede0002" + "10aa" + "31beef" + "000000"
      + "61626364");

  @Test
  void headerFieldsAreReadFromTheBuffer() {
    RtpPacket p = new RtpPacket();
    assertTrue(p.wrap(AUDIO, 0, AUDIO.length));
    assertEquals(2, p.version());
    assertTrue(p.marker());
    assertEquals(111, p.payloadType());
    assertEquals(0x1234, p.sequenceNumber());
    assertEquals(0x11223344L, p.timestamp());
    assertEquals(0xCAFEBABEL, p.ssrc());
    assertEquals(24, p.headerLength());
    assertEquals(4, p.payloadLength());
    assertEquals('a', AUDIO[p.payloadOffset()]);
  }

  @Test
  void absSendTimeIsStampedAndRenumberedUnlessTheNewIdIsTaken() {
    // One-byte extensions: id 1 audio level, id 3 abs-send-time (three bytes 0x000001), padding to the word.
    byte[] packet = HEX.parseHex("90ef1234" + "11223344" + "cafebabe" + "bede0002" + "10aa" + "32000001" + "0000"
        + "61626364");
    RtpPacket p = new RtpPacket();
    assertTrue(p.wrap(packet, 0, packet.length));
    int now = RtpPacket.absSendTime(3_500_000_000L); // 3.5 s in 6.18 fixed point
    assertEquals((3 << 18) + (1 << 17), now);
    assertTrue(p.stampAbsSendTime(3, 2, now));
    assertEquals(-1, p.findExtension(3), "renumbered");
    int at = p.findExtension(2);
    assertEquals(3, p.extensionDataLength());
    assertEquals(now, ((packet[at] & 0xFF) << 16) | ((packet[at + 1] & 0xFF) << 8) | (packet[at + 2] & 0xFF));
    assertEquals(0x2A, p.audioLevel(1), "the other element is untouched");
    // Another element already has the id the receiver knows abs-send-time by: leave the packet alone.
    assertFalse(p.stampAbsSendTime(2, 1, now));
    assertEquals(0xFFFFFF & RtpPacket.absSendTime(64_000_000_000L + 3_500_000_000L), now, "wraps every 64 s");
  }

  @Test
  void oneByteHeaderExtensionsAreFoundById() {
    RtpPacket p = new RtpPacket();
    p.wrap(AUDIO, 0, AUDIO.length);
    assertEquals(0x2A, p.audioLevel(1));
    int at = p.findExtension(3);
    assertEquals(2, p.extensionDataLength());
    assertEquals((byte) 0xBE, AUDIO[at]);
    assertEquals(-1, p.findExtension(5));
  }

  @Test
  void twoByteHeaderExtensionsAreFoundById() {
    byte[] pkt = HEX.parseHex("90600001" + "00000001" + "00000002" + "10000002" + "0702abcd" + "00000000");
    RtpPacket p = new RtpPacket();
    assertTrue(p.wrap(pkt, 0, pkt.length));
    int at = p.findExtension(7);
    assertEquals(2, p.extensionDataLength());
    assertEquals((byte) 0xAB, pkt[at]);
  }

  @Test
  void fieldsAreRewrittenInPlace() {
    byte[] copy = AUDIO.clone();
    RtpPacket p = new RtpPacket();
    p.wrap(copy, 0, copy.length);
    p.setSsrc(0x01020304L);
    p.setSequenceNumber(65535);
    p.setTimestamp(0xFFFFFFFFL);
    p.setPayloadType(96);
    RtpPacket again = new RtpPacket();
    again.wrap(copy, 0, copy.length);
    assertEquals(0x01020304L, again.ssrc());
    assertEquals(65535, again.sequenceNumber());
    assertEquals(0xFFFFFFFFL, again.timestamp());
    assertEquals(96, again.payloadType());
    assertTrue(again.marker(), "the marker bit survives a payload type change");
  }

  @Test
  void malformedPacketsAreRefused() {
    RtpPacket p = new RtpPacket();
    assertFalse(p.wrap(new byte[11], 0, 11));
    assertFalse(p.wrap(HEX.parseHex("40601234112233441122334455"), 0, 13), "version 1");
    assertFalse(p.wrap(HEX.parseHex("8f601234" + "11223344" + "11223344"), 0, 12), "15 CSRCs in 12 bytes");
    assertFalse(p.wrap(HEX.parseHex("90601234" + "11223344" + "11223344" + "bede0009"), 0, 16), "extension too long");
    assertFalse(p.wrap(HEX.parseHex("a0601234" + "11223344" + "11223344" + "000000ff"), 0, 16), "padding too long");
  }

  @Test
  void packetKindsAreToldApartByTheFirstByte() {
    assertEquals(PacketKind.RTP, PacketKind.of(AUDIO, 0, AUDIO.length));
    byte[] pli = new byte[12];
    RtcpFeedback.writePli(pli, 0, 1, 2);
    assertEquals(PacketKind.RTCP, PacketKind.of(pli, 0, 12));
    assertEquals(PacketKind.DTLS, PacketKind.of(new byte[] {22, (byte) 0xFE, (byte) 0xFD}, 0, 3));
    byte[] stun = new byte[20];
    stun[1] = 1;
    assertEquals(PacketKind.STUN, PacketKind.of(stun, 0, 20));
    assertEquals(PacketKind.UNKNOWN, PacketKind.of(new byte[] {(byte) 0xFF}, 0, 1));
    assertEquals(PacketKind.UNKNOWN, PacketKind.of(new byte[0], 0, 0));
  }

  @Test
  void keyframeRequestsAreFoundInCompoundRtcp() {
    byte[] compound = new byte[8 + 12 + 20];
    // An empty receiver report (RFC 3550 §6.4.2), then a PLI, then a FIR with one entry.
    compound[0] = (byte) 0x80;
    compound[1] = (byte) 201;
    compound[3] = 1;
    RtcpFeedback.writePli(compound, 8, 1, 0xAAAAAAAAL);
    int fir = 20;
    compound[fir] = (byte) (0x80 | RtcpFeedback.FMT_FIR);
    compound[fir + 1] = (byte) RtcpFeedback.PT_PSFB;
    compound[fir + 3] = 4;
    RtcpFeedback.putU32(compound, fir + 12, 0xBBBBBBBBL);
    List<Long> ssrcs = new ArrayList<>();
    RtcpFeedback.forEachKeyframeRequest(compound, 0, compound.length, ssrcs::add);
    assertEquals(List.of(0xAAAAAAAAL, 0xBBBBBBBBL), ssrcs);
  }

  @Test
  void randomAndTruncatedBuffersNeverThrow() {
    Random random = new Random(1);
    RtpPacket p = new RtpPacket();
    byte[] buf = new byte[1500];
    for (int i = 0; i < 20_000; i++) {
      int len = random.nextInt(buf.length);
      random.nextBytes(buf);
      if (i % 2 == 0) {
        buf[0] = (byte) (0x80 | (buf[0] & 0x3F));
      }
      PacketKind.of(buf, 0, len);
      if (p.wrap(buf, 0, len)) {
        p.findExtension(1 + random.nextInt(14));
        p.audioLevel(1);
        assertTrue(p.payloadLength() >= 0);
      }
      RtcpFeedback.forEachKeyframeRequest(buf, 0, len, ssrc -> { });
    }
    for (int len = 0; len < AUDIO.length; len++) {
      if (p.wrap(AUDIO, 0, len)) {
        p.findExtension(3);
      }
    }
  }
}
