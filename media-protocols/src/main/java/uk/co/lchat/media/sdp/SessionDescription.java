package uk.co.lchat.media.sdp;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed WebRTC session description (RFC 8866 syntax, JSEP RFC 8829 usage). Only what a media router needs is
 * kept; every m-section resolves its ICE credentials, fingerprint and setup role from the section or the session.
 */
public record SessionDescription(List<MediaDescription> media, List<String> bundle, boolean iceLite) {
  static final int MAX_LENGTH = 256 * 1024;

  public static SessionDescription parse(String sdp) throws SdpException {
    if (sdp == null || sdp.isBlank()) {
      throw new SdpException("empty SDP");
    }
    if (sdp.length() > MAX_LENGTH) {
      throw new SdpException("SDP larger than " + MAX_LENGTH + " characters");
    }
    String[] lines = sdp.split("\r?\n");
    if (!lines[0].startsWith("v=0")) {
      throw new SdpException("line 1: an SDP starts with v=0");
    }
    Session session = new Session();
    Section current = null;
    List<Section> sections = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty()) {
        continue;
      }
      if (line.length() < 2 || line.charAt(1) != '=') {
        throw new SdpException("line " + (i + 1) + ": expected <type>=<value>");
      }
      char type = line.charAt(0);
      String value = line.substring(2);
      if (type == 'm') {
        current = Section.of(value, i + 1);
        sections.add(current);
      } else if (type == 'a') {
        int colon = value.indexOf(':');
        String name = colon < 0 ? value : value.substring(0, colon);
        String arg = colon < 0 ? "" : value.substring(colon + 1);
        if (current == null) {
          session.attribute(name, arg, i + 1);
        } else {
          current.attribute(name, arg, i + 1);
        }
      }
    }
    if (sections.isEmpty()) {
      throw new SdpException("no m= sections");
    }
    List<MediaDescription> media = new ArrayList<>();
    for (Section s : sections) {
      media.add(s.build(session));
    }
    return new SessionDescription(List.copyOf(media), List.copyOf(session.bundle), session.iceLite);
  }

  /** The fingerprint is "sha-256 AB:CD:..."; returns the digest bytes, or throws for other hashes. */
  public static byte[] sha256Fingerprint(String fingerprint) throws SdpException {
    if (fingerprint == null) {
      throw new SdpException("no a=fingerprint");
    }
    String[] parts = fingerprint.trim().split("\\s+");
    if (parts.length != 2 || !parts[0].equalsIgnoreCase("sha-256")) {
      throw new SdpException("a=fingerprint must be sha-256");
    }
    try {
      byte[] digest = HexFormat.ofDelimiter(":").parseHex(parts[1].toLowerCase(Locale.ROOT));
      if (digest.length != 32) {
        throw new SdpException("a=fingerprint sha-256 must be 32 bytes");
      }
      return digest;
    } catch (IllegalArgumentException e) {
      throw new SdpException("a=fingerprint is not colon-separated hex");
    }
  }

  private static final class Session {
    String ufrag;
    String pwd;
    String fingerprint;
    String setup;
    boolean iceLite;
    final List<String> bundle = new ArrayList<>();

    void attribute(String name, String arg, int line) {
      switch (name) {
        case "ice-ufrag" -> ufrag = arg;
        case "ice-pwd" -> pwd = arg;
        case "fingerprint" -> fingerprint = arg;
        case "setup" -> setup = arg;
        case "ice-lite" -> iceLite = true;
        case "group" -> {
          String[] parts = arg.split(" ");
          if (parts[0].equals("BUNDLE")) {
            for (int i = 1; i < parts.length; i++) {
              bundle.add(parts[i]);
            }
          }
        }
        default -> { }
      }
    }
  }

  private static final class Section {
    final String kind;
    final int port;
    final String proto;
    final List<Integer> formats = new ArrayList<>();
    final Map<Integer, String[]> rtpmap = new LinkedHashMap<>();
    final Map<Integer, String> fmtp = new LinkedHashMap<>();
    final Map<Integer, List<String>> feedback = new LinkedHashMap<>();
    final List<String> wildcardFeedback = new ArrayList<>();
    final Map<Integer, String> extensions = new LinkedHashMap<>();
    final Map<Integer, String> extensionDirections = new LinkedHashMap<>();
    final List<Long> ssrcs = new ArrayList<>();
    final Map<Long, String> msid = new LinkedHashMap<>();
    final Map<Long, Long> rtx = new LinkedHashMap<>();
    final List<String> rids = new ArrayList<>();
    final List<String> candidates = new ArrayList<>();
    String mid;
    String direction = "sendrecv";
    String sectionMsid;
    boolean simulcast;
    boolean rtcpMux;
    boolean bundleOnly;
    String ufrag;
    String pwd;
    String fingerprint;
    String setup;

    private Section(String kind, int port, String proto) {
      this.kind = kind;
      this.port = port;
      this.proto = proto;
    }

    static Section of(String value, int line) throws SdpException {
      String[] parts = value.split(" ");
      if (parts.length < 4) {
        throw new SdpException("line " + line + ": expected m=<media> <port> <proto> <fmt>...");
      }
      int port;
      try {
        port = Integer.parseInt(parts[1].contains("/") ? parts[1].substring(0, parts[1].indexOf('/')) : parts[1]);
      } catch (NumberFormatException e) {
        throw new SdpException("line " + line + ": bad port '" + parts[1] + "'");
      }
      Section s = new Section(parts[0], port, parts[2]);
      if (s.isRtp()) {
        for (int i = 3; i < parts.length; i++) {
          s.formats.add(payloadType(parts[i], line));
        }
      }
      return s;
    }

    boolean isRtp() {
      return kind.equals("audio") || kind.equals("video");
    }

    void attribute(String name, String arg, int line) throws SdpException {
      switch (name) {
        case "mid" -> mid = arg;
        case "sendrecv", "sendonly", "recvonly", "inactive" -> direction = name;
        case "rtcp-mux" -> rtcpMux = true;
        case "bundle-only" -> bundleOnly = true;
        case "ice-ufrag" -> ufrag = arg;
        case "ice-pwd" -> pwd = arg;
        case "fingerprint" -> fingerprint = arg;
        case "setup" -> setup = arg;
        case "candidate" -> candidates.add(arg);
        case "msid" -> sectionMsid = arg;
        case "simulcast" -> simulcast = true;
        case "rid" -> rids.add(arg.split(" ")[0]);
        case "rtpmap" -> {
          int sp = arg.indexOf(' ');
          if (sp < 0) {
            throw new SdpException("line " + line + ": expected a=rtpmap:<pt> <name>/<clock>[/<channels>]");
          }
          String[] enc = arg.substring(sp + 1).split("/");
          if (enc.length < 2) {
            throw new SdpException("line " + line + ": expected a=rtpmap:<pt> <name>/<clock>[/<channels>]");
          }
          rtpmap.put(payloadType(arg.substring(0, sp), line), enc);
        }
        case "fmtp" -> {
          int sp = arg.indexOf(' ');
          if (sp > 0) {
            fmtp.put(payloadType(arg.substring(0, sp), line), arg.substring(sp + 1));
          }
        }
        case "rtcp-fb" -> {
          int sp = arg.indexOf(' ');
          if (sp > 0) {
            String pt = arg.substring(0, sp);
            if (pt.equals("*")) {
              wildcardFeedback.add(arg.substring(sp + 1));
            } else {
              feedback.computeIfAbsent(payloadType(pt, line), k -> new ArrayList<>()).add(arg.substring(sp + 1));
            }
          }
        }
        case "extmap" -> {
          String[] parts = arg.split(" ");
          if (parts.length < 2) {
            throw new SdpException("line " + line + ": expected a=extmap:<id> <uri>");
          }
          int slash = parts[0].indexOf('/');
          String id = slash >= 0 ? parts[0].substring(0, slash) : parts[0];
          try {
            int n = Integer.parseInt(id);
            if (n < 1 || n > 255) {
              throw new SdpException("line " + line + ": extmap id out of range");
            }
            extensions.put(n, parts[1]);
            if (slash >= 0) {
              extensionDirections.put(n, parts[0].substring(slash + 1));
            }
          } catch (NumberFormatException e) {
            throw new SdpException("line " + line + ": bad extmap id '" + id + "'");
          }
        }
        case "ssrc" -> {
          String[] parts = arg.split(" ", 2);
          long ssrc = ssrc(parts[0], line);
          if (!ssrcs.contains(ssrc)) {
            ssrcs.add(ssrc);
          }
          if (parts.length == 2 && parts[1].startsWith("msid:")) {
            msid.put(ssrc, parts[1].substring(5));
          }
        }
        case "ssrc-group" -> {
          String[] parts = arg.split(" ");
          if (parts[0].equals("FID") && parts.length == 3) {
            rtx.put(ssrc(parts[1], line), ssrc(parts[2], line));
          }
        }
        default -> { }
      }
    }

    MediaDescription build(Session session) throws SdpException {
      List<Codec> codecs = new ArrayList<>();
      for (int pt : formats) {
        String[] enc = rtpmap.get(pt);
        if (enc == null) {
          continue; // static payload types without rtpmap are not used by WebRTC
        }
        List<String> fb = new ArrayList<>(wildcardFeedback);
        fb.addAll(feedback.getOrDefault(pt, List.of()));
        int channels = enc.length > 2 ? parseIntOr(enc[2], 1) : 1;
        codecs.add(new Codec(pt, enc[0], parseIntOr(enc[1], 0), channels, fmtp.get(pt), fb));
      }
      List<Long> primary = new ArrayList<>(ssrcs);
      primary.removeAll(rtx.values());
      Map<Long, String> msids = new LinkedHashMap<>();
      for (long s : primary) {
        String m = msid.getOrDefault(s, sectionMsid);
        if (m != null) {
          msids.put(s, m);
        }
      }
      IceParameters ice = new IceParameters(ufrag != null ? ufrag : session.ufrag, pwd != null ? pwd : session.pwd);
      return new MediaDescription(kind, port, proto, mid, direction, List.copyOf(codecs), Map.copyOf(extensions),
          Map.copyOf(extensionDirections),
          List.copyOf(primary), Map.copyOf(msids), Map.copyOf(rtx), List.copyOf(rids), simulcast, rtcpMux, ice,
          fingerprint != null ? fingerprint : session.fingerprint, setup != null ? setup : session.setup,
          List.copyOf(candidates), bundleOnly);
    }
  }

  private static int payloadType(String s, int line) throws SdpException {
    try {
      int pt = Integer.parseInt(s.trim());
      if (pt < 0 || pt > 127) {
        throw new SdpException("line " + line + ": payload type " + pt + " out of range");
      }
      return pt;
    } catch (NumberFormatException e) {
      throw new SdpException("line " + line + ": bad payload type '" + s + "'");
    }
  }

  private static long ssrc(String s, int line) throws SdpException {
    try {
      long v = Long.parseLong(s);
      if (v < 0 || v > 0xFFFFFFFFL) {
        throw new SdpException("line " + line + ": SSRC out of range");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new SdpException("line " + line + ": bad SSRC '" + s + "'");
    }
  }

  private static int parseIntOr(String s, int fallback) {
    try {
      return Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
