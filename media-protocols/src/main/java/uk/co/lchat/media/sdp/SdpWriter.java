package uk.co.lchat.media.sdp;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import uk.co.lchat.media.rtp.TransportCc;

/**
 * Writes our side of offer/answer. We declare ICE-lite (RFC 8445 §2.5) so the browser is always the controlling agent
 * whichever side offers (our ice4j agents are controlled and, beyond what lite requires, check paths back and keep
 * consent), and we are the DTLS server (answer {@code setup:passive}, offer {@code setup:actpass}, which browsers
 * answer with {@code active}).
 */
public final class SdpWriter {
  public static final String AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
  public static final String MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
  public static final String RID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
  public static final String ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
  /** The id our offers give abs-send-time (one id for the whole BUNDLE group, RFC 8843 §9.2). */
  public static final int ABS_SEND_TIME_ID = 2;
  private static final List<String> VIDEO_FEEDBACK = List.of("nack", "nack pli", "ccm fir");
  /** Video codecs we forward, best first; the publisher's offer picks among them. */
  private static final List<String> VIDEO_PREFERENCE = List.of("VP8", "H264", "VP9");

  private final long sessionId = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
  private long version = 1;

  /** The answer plus the tracks the offerer will send us. */
  public record Answer(String sdp, List<NegotiatedTrack> incoming, List<OutgoingTrack> outgoing,
                       List<String> acceptedMids) {}

  /**
   * Answers an offer. Sections the offerer sends on become recvonly for us (with the offered SSRCs as incoming
   * tracks); sections it wants to receive on get the track {@code senderFor} supplies, or inactive when it has none.
   */
  public Answer answer(SessionDescription offer, LocalTransport local,
      Function<MediaDescription, OutgoingTrack> senderFor) throws SdpException {
    List<String> accepted = new ArrayList<>();
    List<NegotiatedTrack> incoming = new ArrayList<>();
    List<OutgoingTrack> outgoing = new ArrayList<>();
    java.util.Map<String, MediaDescription> simulcastOf = new java.util.HashMap<>();
    StringBuilder body = new StringBuilder();
    for (MediaDescription m : offer.media()) {
      if (m.mid() == null) {
        throw new SdpException("every m-section needs a=mid (Unified Plan with BUNDLE)");
      }
      Codec codec = m.isRtp() && !m.rejected() ? choose(m) : null;
      if (codec == null) {
        body.append("m=").append(m.kind()).append(" 0 ").append(m.proto()).append(' ')
            .append(m.isRtp() && !m.codecs().isEmpty() ? m.codecs().get(0).payloadType() : "webrtc-datachannel")
            .append("\r\nc=IN IP4 0.0.0.0\r\na=mid:").append(m.mid()).append("\r\n");
        continue;
      }
      if (!m.rtcpMux()) {
        throw new SdpException("m-section " + m.mid() + " lacks a=rtcp-mux, which we require");
      }
      accepted.add(m.mid());
      OutgoingTrack out = m.receives() ? senderFor.apply(m) : null;
      if (out != null && !out.idle()) {
        // We send what the source sends: the offerer must have offered that codec, under any payload type.
        Codec offered = matching(m, out.codec());
        if (offered == null) {
          out = null;
        } else {
          out = new OutgoingTrack(m.mid(), m.kind(), offered, out.ssrc(), out.streamId(), out.trackId(), -1, -1);
          codec = offered;
          outgoing.add(out);
        }
      }
      String direction;
      if (m.sends()) {
        direction = out != null && !out.idle() && m.receives() ? "sendrecv" : "recvonly";
        boolean simulcast = m.kind().equals("video") && m.simulcast() && m.rids().size() > 1
            && m.extensionId(RID) > 0 && m.extensionId(MID) > 0;
        if (m.ssrcs().isEmpty() && !simulcast) {
          throw new SdpException("m-section " + m.mid() + " sends media but declares no a=ssrc");
        }
        int level = m.kind().equals("audio") ? m.extensionId(AUDIO_LEVEL) : -1;
        incoming.add(new NegotiatedTrack(m.mid(), m.kind(), simulcast ? -1 : m.ssrcs().get(0), codec, level,
            m.extensionId(TransportCc.EXTENSION_URI), simulcast ? m.rids() : List.of(),
            simulcast ? m.extensionId(MID) : -1, simulcast ? m.extensionId(RID) : -1));
        if (simulcast) {
          simulcastOf.put(m.mid(), m);
        }
      } else {
        direction = out != null && !out.idle() ? "sendonly" : "inactive";
      }
      // We give transport-wide feedback for what we receive; the offerer's own sequence numbers drive it.
      int twcc = m.sends() ? m.extensionId(TransportCc.EXTENSION_URI) : -1;
      if (twcc > 0 && m.codecs().stream().anyMatch(c -> c.feedback().contains("transport-cc"))) {
        List<String> fb = new ArrayList<>(codec.feedback());
        fb.add("transport-cc");
        codec = codec.withFeedback(fb);
      } else {
        twcc = -1;
      }
      section(body, m.kind(), m.mid(), direction, codec, m.kind().equals("audio") ? m.extensionId(AUDIO_LEVEL) : -1,
          twcc, m.sends() ? m.extensionId(ABS_SEND_TIME) : -1, local, "passive",
          out != null && !out.idle() ? out : null);
      MediaDescription sim = simulcastOf.get(m.mid());
      if (sim != null) {
        // RFC 8853 §5.3: accept the layers as offered; their packets name themselves with mid and rid extensions.
        body.append("a=extmap:").append(sim.answeredExtension(sim.extensionId(MID))).append(' ').append(MID)
            .append("\r\n");
        body.append("a=extmap:").append(sim.answeredExtension(sim.extensionId(RID))).append(' ').append(RID)
            .append("\r\n");
        for (String rid : sim.rids()) {
          body.append("a=rid:").append(rid).append(" recv\r\n");
        }
        body.append("a=simulcast:recv ").append(String.join(";", sim.rids())).append("\r\n");
      }
    }
    if (accepted.isEmpty()) {
      throw new SdpException("no usable audio or video section (we need Opus, or VP8/H264/VP9, with rtcp-mux)");
    }
    return new Answer(header(accepted) + body, List.copyOf(incoming), List.copyOf(outgoing), List.copyOf(accepted));
  }

  /** An offer of the given tracks, one m-section each, for a receiver whose browser answers. */
  public String offer(LocalTransport local, List<OutgoingTrack> tracks) {
    List<String> mids = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    for (OutgoingTrack t : tracks) {
      mids.add(t.mid());
      int level = -1;
      section(body, t.kind(), t.mid(), t.idle() ? "inactive" : "sendonly", t.codec(), level, -1, ABS_SEND_TIME_ID,
          local, "actpass", t.idle() ? null : t);
    }
    return header(mids) + body;
  }

  private String header(List<String> bundle) {
    StringBuilder sb = new StringBuilder();
    sb.append("v=0\r\no=lchat ").append(sessionId).append(' ').append(version++).append(" IN IP4 127.0.0.1\r\n");
    sb.append("s=-\r\nt=0 0\r\na=ice-lite\r\na=msid-semantic: WMS *\r\n");
    if (!bundle.isEmpty()) {
      sb.append("a=group:BUNDLE ").append(String.join(" ", bundle)).append("\r\n");
    }
    return sb.toString();
  }

  private static void section(StringBuilder sb, String kind, String mid, String direction, Codec codec,
      int audioLevelId, int transportCcId, int absSendTimeId, LocalTransport local, String setup, OutgoingTrack out) {
    sb.append("m=").append(kind).append(" 9 UDP/TLS/RTP/SAVPF ").append(codec.payloadType());
    if (out != null && out.hasRtx()) {
      sb.append(' ').append(out.rtxPayloadType());
    }
    sb.append("\r\n");
    sb.append("c=IN IP4 0.0.0.0\r\n");
    sb.append("a=mid:").append(mid).append("\r\n");
    sb.append("a=ice-ufrag:").append(local.ice().ufrag()).append("\r\n");
    sb.append("a=ice-pwd:").append(local.ice().pwd()).append("\r\n");
    sb.append("a=fingerprint:").append(local.fingerprint()).append("\r\n");
    sb.append("a=setup:").append(setup).append("\r\n");
    sb.append("a=").append(direction).append("\r\n");
    sb.append("a=rtcp-mux\r\n");
    if (kind.equals("video")) {
      sb.append("a=rtcp-rsize\r\n");
    }
    sb.append("a=rtpmap:").append(codec.payloadType()).append(' ').append(codec.name()).append('/')
        .append(codec.clockRate());
    if (codec.channels() > 1) {
      sb.append('/').append(codec.channels());
    }
    sb.append("\r\n");
    if (codec.fmtp() != null) {
      sb.append("a=fmtp:").append(codec.payloadType()).append(' ').append(codec.fmtp()).append("\r\n");
    }
    for (String fb : codec.feedback()) {
      sb.append("a=rtcp-fb:").append(codec.payloadType()).append(' ').append(fb).append("\r\n");
    }
    if (out != null && out.hasRtx()) {
      sb.append("a=rtpmap:").append(out.rtxPayloadType()).append(" rtx/").append(codec.clockRate()).append("\r\n");
      sb.append("a=fmtp:").append(out.rtxPayloadType()).append(" apt=").append(codec.payloadType()).append("\r\n");
    }
    if (audioLevelId > 0) {
      sb.append("a=extmap:").append(audioLevelId).append(' ').append(AUDIO_LEVEL).append("\r\n");
    }
    if (transportCcId > 0) {
      sb.append("a=extmap:").append(transportCcId).append(' ').append(TransportCc.EXTENSION_URI).append("\r\n");
    }
    if (absSendTimeId > 0) {
      sb.append("a=extmap:").append(absSendTimeId).append(' ').append(ABS_SEND_TIME).append("\r\n");
    }
    if (out != null) {
      String msid = out.streamId() + " " + out.trackId();
      sb.append("a=msid:").append(msid).append("\r\n");
      if (out.hasRtx()) {
        sb.append("a=ssrc-group:FID ").append(out.ssrc()).append(' ').append(out.rtxSsrc()).append("\r\n");
      }
      sb.append("a=ssrc:").append(out.ssrc()).append(" cname:").append(out.streamId()).append("\r\n");
      sb.append("a=ssrc:").append(out.ssrc()).append(" msid:").append(msid).append("\r\n");
      if (out.hasRtx()) {
        sb.append("a=ssrc:").append(out.rtxSsrc()).append(" cname:").append(out.streamId()).append("\r\n");
        sb.append("a=ssrc:").append(out.rtxSsrc()).append(" msid:").append(msid).append("\r\n");
      }
    }
    for (String c : local.candidates()) {
      sb.append("a=candidate:").append(c).append("\r\n");
    }
    sb.append("a=end-of-candidates\r\n");
  }

  /** Picks the codec we will use for an offered section, keeping the offerer's payload type and fmtp. */
  static Codec choose(MediaDescription m) {
    if (m.kind().equals("audio")) {
      for (Codec c : m.codecs()) {
        if (c.is("opus") && c.clockRate() == 48000) {
          return c.withFeedback(List.of());
        }
      }
      return null;
    }
    for (String name : VIDEO_PREFERENCE) {
      Codec best = null;
      for (Codec c : m.codecs()) {
        if (c.is(name) && (best == null || betterH264(c, best))) {
          best = c;
        }
      }
      if (best != null) {
        List<String> fb = new ArrayList<>();
        for (String f : VIDEO_FEEDBACK) {
          if (best.feedback().contains(f)) {
            fb.add(f);
          }
        }
        return best.withFeedback(fb);
      }
    }
    return null;
  }

  private static Codec matching(MediaDescription m, Codec wanted) {
    Codec found = null;
    for (Codec c : m.codecs()) {
      if (c.is(wanted.name()) && c.clockRate() == wanted.clockRate()) {
        if (found == null || (c.fmtp() != null && c.fmtp().equals(wanted.fmtp()))) {
          found = c;
        }
      }
    }
    if (found == null) {
      return null;
    }
    List<String> fb = new ArrayList<>();
    for (String f : VIDEO_FEEDBACK) {
      if (m.kind().equals("video") && found.feedback().contains(f)) {
        fb.add(f);
      }
    }
    return found.withFeedback(fb);
  }

  /** For H264 prefer packetization-mode=1, constrained baseline: what every browser decodes. */
  private static boolean betterH264(Codec candidate, Codec current) {
    if (!candidate.is("H264")) {
      return false;
    }
    return score(candidate) > score(current);
  }

  private static int score(Codec c) {
    String f = c.fmtp() == null ? "" : c.fmtp();
    return (f.contains("packetization-mode=1") ? 2 : 0) + (f.contains("profile-level-id=42e01f") ? 1 : 0);
  }
}
