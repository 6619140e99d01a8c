package uk.co.lchat.media.control;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.apache.pekko.actor.typed.ActorRef;

import uk.co.lchat.media.control.MediaRouterProtocol.*;
import uk.co.lchat.media.router.MediaRouter;
import uk.co.lchat.media.router.Publication;
import uk.co.lchat.media.router.Relay;
import uk.co.lchat.media.router.SimulcastSource;
import uk.co.lchat.media.router.Subscription;
import uk.co.lchat.media.srtp.SrtpKeys;
import uk.co.lchat.media.srtp.SrtpProfile;

/**
 * This router's relay links to the routers of other nodes, and the tracks they carry. A track published on node A
 * and received on node B crosses the A-B link once, whatever the number of its receivers on B: B asks A for it
 * ({@link RelayTrack}), publishes what arrives as a local stream, and its receivers subscribe to that. Owned by the
 * router actor (single-threaded).
 */
final class Relays {
  private static final SrtpProfile PROFILE = SrtpProfile.AEAD_AES_128_GCM;

  /** A link to one other router. */
  private static final class Link {
    Relay endpoint;
    SrtpKeys keys;
    /** Tracks to ask for once the link is open. */
    final List<String> waiting = new ArrayList<>();
  }

  /** A track received over a link and published here. */
  private record Inbound(ActorRef<MediaRouterProtocol.Command> origin, Publication publication) {}

  private final MediaRouter router;
  private final ActorRef<MediaRouterProtocol.Command> self;
  /** This node's cluster address, e.g. pekko://lchat@10.0.0.5:25520. */
  private final String selfAddress;
  private final String host;
  private final SecureRandom random = new SecureRandom();
  private final Map<ActorRef<MediaRouterProtocol.Command>, Link> links = new HashMap<>();
  private final Map<String, Inbound> inbound = new HashMap<>();
  /** Tracks asked for, and from which router. */
  private final Map<String, ActorRef<MediaRouterProtocol.Command>> requested = new HashMap<>();
  /** Local tracks sent over links: "link endpoint id|track id" -> subscription. */
  private final Map<String, Subscription> outbound = new HashMap<>();

  Relays(MediaRouter router, ActorRef<MediaRouterProtocol.Command> self, String selfAddress, String host) {
    this.router = router;
    this.self = self;
    this.selfAddress = selfAddress;
    this.host = host;
  }

  /** A track published on another node that a receiver here needs: ask its router (once) to send it. */
  void need(TrackInfo track) {
    ActorRef<MediaRouterProtocol.Command> origin = track.origin();
    ActorRef<MediaRouterProtocol.Command> askedFrom = requested.get(track.trackId());
    if (askedFrom != null && !askedFrom.equals(origin)) {
      release(track.trackId()); // its publisher moved to another node: ask that one instead
    }
    if (origin == null || origin.equals(self) || requested.putIfAbsent(track.trackId(), origin) != null) {
      return;
    }
    Link link = links.get(origin);
    if (link == null) {
      link = new Link();
      link.keys = randomKeys();
      links.put(origin, link);
      origin.tell(new OpenRelay(self, host, router.port(), encode(link.keys)));
    }
    if (link.endpoint == null) {
      link.waiting.add(track.trackId());
    } else {
      origin.tell(new RelayTrack(track.trackId(), self));
    }
  }

  /** No receiver here needs the track any more. */
  void release(String trackId) {
    ActorRef<MediaRouterProtocol.Command> origin = requested.remove(trackId);
    Inbound in = inbound.remove(trackId);
    if (in != null) {
      router.unpublish(in.publication());
      in.origin().tell(new UnrelayTrack(trackId, self));
    } else if (origin != null) {
      origin.tell(new UnrelayTrack(trackId, self)); // asked for, not arrived: whatever comes is refused anyway
    }
  }

  /** The local publication of a track that comes over the link from {@code origin}; null if none (yet). */
  Publication published(String trackId, ActorRef<MediaRouterProtocol.Command> origin) {
    Inbound in = inbound.get(trackId);
    return in == null || !in.origin().equals(origin) ? null : in.publication();
  }

  // ---- the side that opens a link ------------------------------------------------------------------------------

  void onOpened(RelayOpened m) {
    Link link = links.get(m.from());
    if (link == null || link.endpoint != null) {
      return;
    }
    link.endpoint = router.createRelay(relayId(m.from()), new InetSocketAddress(m.host(), m.port()), link.keys);
    for (String trackId : link.waiting) {
      m.from().tell(new RelayTrack(trackId, self));
    }
    link.waiting.clear();
  }

  /** The track arrives over the link: publish it here; returns the new publication (null if no longer wanted). */
  Publication onTrackRelayed(TrackRelayed m) {
    Link link = links.get(m.from());
    if (link == null || link.endpoint == null || !m.from().equals(requested.get(m.trackId()))) {
      m.from().tell(new UnrelayTrack(m.trackId(), self));
      return null;
    }
    Publication p = router.publish(link.endpoint, m.ssrc(), m.kind(), m.payloadType(), m.clockRate(),
        m.audioLevelExtension());
    if (m.rtxSsrc() >= 0) {
      router.expectRtx(link.endpoint, p, m.rtxSsrc());
    }
    Inbound previous = inbound.put(m.trackId(), new Inbound(m.from(), p));
    if (previous != null) {
      router.unpublish(previous.publication());
    }
    return p;
  }

  void onRefused(RelayRefused m) {
    requested.remove(m.trackId(), m.from());
  }

  // ---- the side that publishes -----------------------------------------------------------------------------------

  void onOpen(OpenRelay m) {
    Link link = links.get(m.replyTo());
    List<String> waiting = List.of();
    if (link != null && link.endpoint == null) {
      // Both routers opened a link to each other at once. One link per pair: the opening of the router on the node
      // with the smaller address wins; the other side drops its own attempt and asks for its waiting tracks on the winner's.
      // Compare node addresses: a local ref's path has no address, a remote one's has, so paths would not do.
      if (selfAddress.compareTo(m.replyTo().path().address().toString()) < 0) {
        return; // ours wins: the other router accepts our OpenRelay and answers with RelayOpened
      }
      waiting = new ArrayList<>(link.waiting);
    } else if (link != null) {
      router.removeRelay(link.endpoint, "relay reopened");
    }
    link = new Link();
    link.keys = decode(m.keys()).reversed();
    link.endpoint = router.createRelay(relayId(m.replyTo()), new InetSocketAddress(m.host(), m.port()), link.keys);
    links.put(m.replyTo(), link);
    m.replyTo().tell(new RelayOpened(self, host, router.port()));
    for (String trackId : waiting) {
      m.replyTo().tell(new RelayTrack(trackId, self));
    }
  }

  void onRelayTrack(RelayTrack m, Function<String, Publication> localTrack,
                    Function<String, SimulcastSource> localSimulcast) {
    Link link = links.get(m.replyTo());
    Publication p = localTrack.apply(m.trackId());
    SimulcastSource src = localSimulcast.apply(m.trackId());
    if (link == null || link.endpoint == null || (p == null && src == null)) {
      m.replyTo().tell(new RelayRefused(m.trackId(), self));
      return;
    }
    String key = link.endpoint.id() + "|" + m.trackId();
    Subscription old = outbound.remove(key);
    if (old != null) {
      router.unsubscribe(old);
    }
    // Video packets lost on the link are asked for again (NACK from the far router) and resent as RTX on an SSRC
    // of their own; the payload type only has to differ from the track's (the far side goes by SSRC).
    long rtxSsrc = random.nextInt() & 0xFFFFFFFFL;
    if (p != null) {
      // The publisher's SSRC, payload type and header extensions cross unchanged; the far side rewrites per receiver.
      boolean video = p.isVideo();
      outbound.put(key, router.subscribe(p, link.endpoint, p.payloadType(), null, false,
          video ? relayRtxPayloadType(p.payloadType()) : -1, video ? rtxSsrc : -1));
      m.replyTo().tell(new TrackRelayed(m.trackId(), p.ssrc(), p.payloadType(), p.clockRate(), p.kind(),
          p.audioLevelExtension(), self, video ? rtxSsrc : -1));
    } else {
      // A simulcast track crosses as one stream (the best layer) under the track's own SSRC.
      outbound.put(key, router.subscribe(src, link.endpoint, src.payloadType(), null, true,
          relayRtxPayloadType(src.payloadType()), rtxSsrc));
      m.replyTo().tell(new TrackRelayed(m.trackId(), src.ssrc(), src.payloadType(), src.clockRate(), "video", -1,
          self, rtxSsrc));
    }
  }

  void onUnrelay(UnrelayTrack m) {
    Link link = links.get(m.replyTo());
    if (link != null && link.endpoint != null) {
      Subscription s = outbound.remove(link.endpoint.id() + "|" + m.trackId());
      if (s != null) {
        router.unsubscribe(s);
      }
    }
  }

  /**
   * The other router is gone (its node left the cluster): close the link to it and unpublish what came over it.
   * Returns the ids of those tracks.
   */
  List<String> gone(ActorRef<MediaRouterProtocol.Command> other) {
    List<String> tracks = new ArrayList<>();
    inbound.entrySet().removeIf(e -> {
      if (!e.getValue().origin().equals(other)) {
        return false;
      }
      router.unpublish(e.getValue().publication());
      requested.remove(e.getKey());
      tracks.add(e.getKey());
      return true;
    });
    requested.values().removeIf(other::equals);
    Link link = links.remove(other);
    if (link != null && link.endpoint != null) {
      String prefix = link.endpoint.id() + "|";
      outbound.keySet().removeIf(k -> k.startsWith(prefix));
      router.removeRelay(link.endpoint, "the other node left");
    }
    return tracks;
  }

  /** Tracks received over links that some local slot still uses; everything else is released by the caller. */
  Set<String> inboundTrackIds() {
    return Set.copyOf(inbound.keySet());
  }

  private static int relayRtxPayloadType(int payloadType) {
    return payloadType == 127 ? 126 : 127;
  }

  // ---- keys --------------------------------------------------------------------------------------------------------

  private static String relayId(ActorRef<?> other) {
    return "relay:" + other.path();
  }

  private SrtpKeys randomKeys() {
    byte[][] parts = new byte[4][];
    for (int i = 0; i < 4; i++) {
      parts[i] = new byte[i % 2 == 0 ? PROFILE.keyLength : PROFILE.saltLength];
      random.nextBytes(parts[i]);
    }
    return new SrtpKeys(PROFILE, parts[0], parts[1], parts[2], parts[3]);
  }

  private static String encode(SrtpKeys k) {
    byte[] all = new byte[2 * (PROFILE.keyLength + PROFILE.saltLength)];
    int at = 0;
    for (byte[] part : new byte[][] {k.localKey(), k.localSalt(), k.remoteKey(), k.remoteSalt()}) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return Base64.getEncoder().encodeToString(all);
  }

  private static SrtpKeys decode(String text) {
    byte[] all = Base64.getDecoder().decode(text);
    int k = PROFILE.keyLength;
    int s = PROFILE.saltLength;
    if (all.length != 2 * (k + s)) {
      throw new IllegalArgumentException("relay key material has the wrong length");
    }
    return new SrtpKeys(PROFILE, Arrays.copyOfRange(all, 0, k), Arrays.copyOfRange(all, k, k + s),
        Arrays.copyOfRange(all, k + s, 2 * k + s), Arrays.copyOfRange(all, 2 * k + s, all.length));
  }
}
