package uk.co.lchat.node.whip;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

import uk.co.lchat.media.control.MediaRouterProtocol;
import uk.co.lchat.media.control.MediaRouterProtocol.MediaEvent;
import uk.co.lchat.node.signaling.SignalingCodec;
import uk.co.lchat.room.RoomActor;
import uk.co.lchat.room.RoomProtocol;

/**
 * WHIP (RFC 9725) and WHEP: publish into a room and watch from it with plain HTTP offer/answer, as OBS, GStreamer or
 * a bare browser page do. Errors are 4xx/5xx with a one-line text reason.
 */
public final class WhipWhepRoutes {
  private static final org.apache.pekko.http.javadsl.model.ContentType.WithFixedCharset SDP =
      ContentTypes.create(MediaTypes.applicationWithFixedCharset("sdp", HttpCharsets.UTF_8));
  private static final int MAX_SDP = 64 * 1024;

  private final ActorSystem<?> system;
  private final ActorRef<MediaRouterProtocol.Command> router;
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final Map<String, ActorRef<Object>> publishers = new ConcurrentHashMap<>();

  public WhipWhepRoutes(ActorSystem<?> system, ActorRef<MediaRouterProtocol.Command> router, Duration timeout) {
    this.system = system;
    this.router = router;
    this.sharding = ClusterSharding.get(system);
    this.timeout = timeout;
  }

  public Route routes() {
    return concat(
        pathPrefix("whip", () -> concat(
            path(PathMatchers.segment(), room -> post(() -> withOffer(room, offer -> whip(room, offer)))),
            path(PathMatchers.segment().slash(PathMatchers.segment()), (room, id) -> concat(
                delete(() -> whipDelete(room, id)),
                options(() -> complete(StatusCodes.NO_CONTENT)),
                complete(StatusCodes.METHOD_NOT_ALLOWED, "Use DELETE to stop publishing.\n"))))),
        pathPrefix("whep", () -> concat(
            path(PathMatchers.segment(), room -> post(() -> withOffer(room, offer -> whep(room, null, offer)))),
            path(PathMatchers.segment().slash(PathMatchers.segment()), (room, pid) ->
                post(() -> withOffer(room, offer -> whep(room, pid, offer)))),
            path(PathMatchers.segment().slash("viewers").slash(PathMatchers.segment()), (room, id) ->
                delete(() -> whepDelete(id))))));
  }

  /** Checks room name and content type, reads the offer, then hands it on. */
  private Route withOffer(String room, java.util.function.Function<String, Route> next) {
    if (!SignalingCodec.ROOM_ID.matcher(room).matches()) {
      return complete(StatusCodes.BAD_REQUEST, "A room name has 1 to 64 letters, digits, '.', '_' or '-'.\n");
    }
    return extractRequest(request -> {
      String type = request.entity().getContentType().mediaType().toString();
      if (!type.equals("application/sdp")) {
        return complete(StatusCodes.UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/sdp (got " + type + ").\n");
      }
      return withSizeLimit(MAX_SDP, () -> entity(Unmarshaller.entityToString(), offer -> {
        if (offer.isBlank()) {
          return complete(StatusCodes.BAD_REQUEST, "The body must be an SDP offer.\n");
        }
        return next.apply(offer);
      }));
    });
  }

  private Route whip(String room, String offer) {
    return optionalHeaderValueByName("Authorization", auth -> parameterOptional("name", name -> {
      // RFC 9725 §4.5: a bearer token; we use it as the room passcode.
      String passcode = auth.filter(a -> a.startsWith("Bearer ")).map(a -> a.substring(7).trim()).orElse(null);
      CompletableFuture<WhipPublisher.Outcome> outcome = new CompletableFuture<>();
      ActorRef<Object> publisher = system.systemActorOf(WhipPublisher.create(room, name.orElse("WHIP"), passcode,
          offer, router, outcome), "whip-" + UUID.randomUUID(), Props.empty());
      CompletionStage<HttpResponse> response = outcome.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .handle((o, error) -> {
            if (error != null) {
              publisher.tell(new WhipPublisher.Stop());
              return text(504, "The room did not answer in time.\n");
            }
            if (o.status() != 201) {
              return text(o.status(), o.body());
            }
            publishers.put(room + "/" + o.participantId(), publisher);
            return created("/whip/" + room + "/" + o.participantId(), o.body());
          });
      return completeWithFuture(response);
    }));
  }

  private Route whipDelete(String room, String id) {
    ActorRef<Object> publisher = publishers.remove(room + "/" + id);
    if (publisher == null) {
      return complete(StatusCodes.NOT_FOUND, "No such WHIP session.\n");
    }
    publisher.tell(new WhipPublisher.Stop());
    return complete(StatusCodes.OK, "");
  }

  /** WHEP: one participant's tracks, or (participantId null) the room's dominant speaker as it changes. */
  private Route whep(String room, String participantId, String offer) {
    CompletionStage<RoomProtocol.TrackList> tracks = sharding.entityRefFor(RoomActor.ENTITY_KEY, room)
        .ask(replyTo -> new RoomProtocol.GetTracks(participantId, replyTo), timeout);
    String viewerId = "v" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    CompletionStage<HttpResponse> response = tracks.thenCompose(list -> {
      if (!list.exists()) {
        return CompletableFuture.completedFuture(text(404, participantId == null ? "No such room.\n"
            : "No such room or participant.\n"));
      }
      CompletionStage<MediaEvent> answer = AskPattern.ask(router, replyTo -> participantId == null
              ? new MediaRouterProtocol.WatchSpeaker(room, viewerId, offer, list.dominantSpeaker(), replyTo)
              : new MediaRouterProtocol.Watch(room, viewerId, offer, list.tracks(), replyTo),
          timeout, system.scheduler());
      return answer.thenApply(event -> switch (event) {
        case MediaRouterProtocol.Subscribed s -> created("/whep/" + room + "/viewers/" + viewerId, s.answerSdp());
        case MediaRouterProtocol.MediaFailed f -> text(400, "Bad offer: " + f.message() + "\n");
        default -> text(500, "Unexpected reply from the media router.\n");
      });
    }).exceptionally(e -> text(504, "The room or media router did not answer in time.\n"));
    return completeWithFuture(response);
  }

  private Route whepDelete(String viewerId) {
    CompletionStage<HttpResponse> response = AskPattern.<MediaRouterProtocol.Command, Boolean>ask(router,
            replyTo -> new MediaRouterProtocol.Unwatch(viewerId, replyTo), timeout, system.scheduler())
        .thenApply(found -> found ? text(200, "") : text(404, "No such WHEP session.\n"));
    return completeWithFuture(response);
  }

  private static HttpResponse created(String location, String sdp) {
    return HttpResponse.create().withStatus(StatusCodes.CREATED)
        .addHeader(Location.create(location))
        .addHeader(RawHeader.create("Access-Control-Expose-Headers", "Location"))
        .withEntity(HttpEntities.create(SDP, sdp));
  }

  private static HttpResponse text(int status, String body) {
    return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8,
        body));
  }
}
