package uk.co.lchat.node.whip;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.node.auth.JoinTokens;
import uk.co.lchat.node.http.ClientAddress;
import uk.co.lchat.node.http.JsonErrors;
import uk.co.lchat.node.signaling.SignalingCodec;
import uk.co.lchat.node.turn.IceServers;
import uk.co.lchat.node.whip.SessionResources.Protocol;

/**
 * WHIP (RFC 9725) and WHEP: publish into a room and watch from it with plain HTTP offer/answer, as OBS, GStreamer or
 * a bare browser page do. Errors are 4xx/5xx with the server API's JSON body, {@code {"error", "message"}}
 * ({@link JsonErrors}): the code names the refusal (the room's, e.g. {@code token_expired}), the message says it.
 *
 * <p>Publishers and viewers alike join the room through its access check (passcode as the bearer token, lobby,
 * bans) and appear in its roster. Each session answers at an unguessable resource URL, and ending it takes the
 * credential its POST presented (see {@link SessionResources}).
 */
public final class WhipWhepRoutes {
  private static final ContentType.WithFixedCharset SDP =
      ContentTypes.create(MediaTypes.applicationWithFixedCharset("sdp", HttpCharsets.UTF_8));
  private static final int MAX_SDP = 64 * 1024;
  /** The response header naming the session's participant id in the roster (public, unlike the resource id). */
  public static final String PARTICIPANT_HEADER = "Lchat-Participant";

  private final ActorSystem<?> system;
  private final ActorRef<MediaRouterProtocol.Command> router;
  private final Duration timeout;
  private final SessionResources resources = new SessionResources();
  private final JoinTokens tokens;

  public WhipWhepRoutes(ActorSystem<?> system, ActorRef<MediaRouterProtocol.Command> router, Duration timeout,
                        JoinTokens tokens) {
    this.tokens = tokens;
    this.system = system;
    this.router = router;
    this.timeout = timeout;
  }

  public Route routes() {
    return concat(
        pathPrefix("whip", () -> concat(
            path(PathMatchers.segment(), room -> post(() -> withOffer(room, offer -> whip(room, offer)))),
            path(PathMatchers.segment().slash(PathMatchers.segment()), (room, id) ->
                resource(Protocol.WHIP, room, id)))),
        pathPrefix("whep", () -> concat(
            path(PathMatchers.segment(), room -> post(() -> withOffer(room, offer -> whep(room, null, offer)))),
            path(PathMatchers.segment().slash(PathMatchers.segment()), (room, pid) ->
                post(() -> withOffer(room, offer -> whep(room, pid, offer)))),
            path(PathMatchers.segment().slash("viewers").slash(PathMatchers.segment()), (room, id) ->
                resource(Protocol.WHEP, room, id)))));
  }

  /** Checks room name and content type, reads the offer, then hands it on. */
  private Route withOffer(String room, Function<String, Route> next) {
    if (!SignalingCodec.ROOM_ID.matcher(room).matches()) {
      return complete(error(400, "invalid_room", "A room name has 1 to 64 letters, digits, '.', '_' or '-'."));
    }
    return extractRequest(request -> {
      String type = request.entity().getContentType().mediaType().toString();
      if (!type.equals("application/sdp")) {
        return complete(error(415, "unsupported_media_type",
            "Content-Type must be application/sdp (got " + type + ")."));
      }
      return withSizeLimit(MAX_SDP, () -> entity(Unmarshaller.entityToString(), offer -> {
        if (offer.isBlank()) {
          return complete(error(400, "bad_sdp", "The body must be an SDP offer."));
        }
        return next.apply(offer);
      }));
    });
  }

  /** Who asks: the request's bearer token (RFC 6750 §2.1), or null, and the client's address (passcode throttling). */
  private static Route withCredential(BiFunction<String, String, Route> next) {
    return extractRequest(request -> optionalHeaderValueByName("Authorization",
        auth -> next.apply(bearer(auth), ClientAddress.of(request))));
  }

  /**
   * The POST's bearer credential read as a join token when it is one ({@link JoinTokens#looksLikeToken}: verified
   * here, before the room is asked; a refused token is 401 or 403 at once), else as the room's passcode.
   */
  private Route withAccess(String room, Function<Access, Route> next) {
    return withCredential((credential, address) -> {
      if (!JoinTokens.looksLikeToken(credential)) {
        return next.apply(new Access(credential, credential, null, address));
      }
      return switch (tokens.verify(credential, room, Instant.now())) {
        case JoinTokens.Valid v -> next.apply(new Access(credential, null, v.identity(), address));
        case JoinTokens.Refused r -> {
          SessionOutcome refused = SessionOutcome.refused(r.code(), r.message());
          HttpResponse response = error(refused.status(), refused.code(), refused.message());
          // RFC 6750 §3.1: tell the client its token, not its request, is what failed.
          yield complete(refused.status() == 401 ? response.removeHeader("WWW-Authenticate").addHeader(
              RawHeader.create("WWW-Authenticate", "Bearer error=\"invalid_token\"")) : response);
        }
      };
    });
  }

  static String bearer(Optional<String> authorization) {
    return authorization.filter(a -> a.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(a -> a.substring(7).trim()).filter(t -> !t.isEmpty()).orElse(null);
  }

  private Route whip(String room, String offer) {
    // RFC 9725 §4.5: a bearer token; a join token, or else the room passcode.
    return withAccess(room, access -> parameterOptional("name", name -> {
      String id = SessionResources.newId();
      CompletableFuture<SessionOutcome> outcome = new CompletableFuture<>();
      return start("/whip/" + room + "/" + id, outcome, WhipPublisher.create(room, id, name.orElse("WHIP"),
          access, offer, router, resources, outcome));
    }));
  }

  /** WHEP: one participant's tracks, or (participantId null) the room's dominant speaker as it changes. */
  private Route whep(String room, String participantId, String offer) {
    return withAccess(room, access -> parameterOptional("name", name -> {
      String id = SessionResources.newId();
      CompletableFuture<SessionOutcome> outcome = new CompletableFuture<>();
      return start("/whep/" + room + "/viewers/" + id, outcome, WhepViewer.create(room, id, participantId,
          name.orElse("WHEP viewer"), access, offer, router, resources, outcome));
    }));
  }

  /** Starts the session's actor and answers the POST with its outcome, or 504 if it takes too long. */
  private Route start(String location, CompletableFuture<SessionOutcome> outcome, Behavior<Object> session) {
    ActorRef<Object> actor = system.systemActorOf(session, "whip-" + UUID.randomUUID(), Props.empty());
    CompletionStage<HttpResponse> response = outcome.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((o, error) -> {
          if (error != null) {
            actor.tell(new EndSession());
            return error(504, "timeout", "The room or media router did not answer in time.");
          }
          if (o.status() != 201) {
            HttpResponse refused = error(o.status(), o.code(), o.message());
            // RFC 9110 §10.2.3: when to try again (a passcode wait, a recovering room).
            return o.retryAfterSeconds() > 0
                ? refused.addHeader(RawHeader.create("Retry-After", String.valueOf(o.retryAfterSeconds())))
                : refused;
          }
          return created(location, o.participantId(), o.answerSdp(),
              IceServers.linkHeaders(IceServers.get(system).forUser(o.participantId())));
        });
    return completeWithFuture(response);
  }

  /** A session's resource URL: DELETE ends it; both DELETE and PATCH need the credential the POST presented. */
  private Route resource(Protocol protocol, String room, String id) {
    return concat(
        options(() -> complete(StatusCodes.NO_CONTENT)),
        delete(() -> withSession(protocol, room, id, session -> {
          session.tell(new EndSession());
          return complete(StatusCodes.OK, "");
        })),
        // RFC 9725 §4.3.1: a session that supports neither trickle ICE nor ICE restarts answers PATCH with 405.
        // We are ICE-lite: the client's checks find the path, so its trickled candidates are not needed.
        patch(() -> withSession(protocol, room, id, session -> complete(error(405, "method_not_allowed",
            "This server takes neither trickle ICE nor ICE restarts; start a new session instead.")
            .addHeader(RawHeader.create("Allow", "DELETE, OPTIONS"))))),
        complete(error(405, "method_not_allowed", "Use DELETE to end the session.")
            .addHeader(RawHeader.create("Allow", "DELETE, OPTIONS"))));
  }

  /** The session at this URL, if the request presents its credential; else 404, 401 or 403. */
  private Route withSession(Protocol protocol, String room, String id, Function<ActorRef<Object>, Route> next) {
    return withCredential((credential, address) -> switch (resources.find(protocol, room, id, credential)) {
      case SessionResources.Found f -> next.apply(f.session());
      case SessionResources.NotFound n -> complete(error(404, "session_not_found", "No such " + protocol
          + " session."));
      case SessionResources.Unauthorized u -> complete(error(401, "unauthorized",
          "This session needs the Authorization: Bearer token it was created with."));
      case SessionResources.Forbidden f -> complete(error(403, "forbidden",
          "That is not the token this session was created with."));
    });
  }

  /** {@code links}: the ICE servers with this session's TURN credentials (RFC 9725 §4.6), one header each. */
  private static HttpResponse created(String location, String participantId, String sdp, List<String> links) {
    List<HttpHeader> headers = new ArrayList<>(List.of(Location.create(location),
        RawHeader.create(PARTICIPANT_HEADER, participantId),
        RawHeader.create("Access-Control-Expose-Headers", "Location, Link, " + PARTICIPANT_HEADER)));
    for (String link : links) {
      headers.add(RawHeader.create("Link", link)); // in the order configured: clients may try them in turn
    }
    return HttpResponse.create().withStatus(StatusCodes.CREATED).withHeaders(headers)
        .withEntity(HttpEntities.create(SDP, sdp));
  }

  private static HttpResponse error(int status, String code, String message) {
    HttpResponse response = JsonErrors.response(status, code, message);
    // RFC 9110 §15.5.2: a 401 names the scheme that would do (RFC 6750 §3).
    return status == 401 ? response.addHeader(RawHeader.create("WWW-Authenticate", "Bearer")) : response;
  }
}
