package uk.co.lchat.node.presentation;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

import com.fasterxml.jackson.databind.ObjectMapper;

import uk.co.lchat.node.http.JsonErrors;
import uk.co.lchat.node.signaling.SignalingCodec;
import uk.co.lchat.room.RoomActor;
import uk.co.lchat.room.RoomProtocol.DocumentDropped;
import uk.co.lchat.room.RoomProtocol.PresentationAccess;
import uk.co.lchat.room.RoomProtocol.PresentationReply;
import uk.co.lchat.room.RoomProtocol.PresentationView;
import uk.co.lchat.room.RoomProtocol.StartPresentation;

/**
 * A presented PDF over HTTP. {@code POST /presentations/{room}} (the PDF as the body, or a set of PNG/JPEG slides as
 * {@code multipart/form-data} parts or one picture as the body) presents it: the room checks the member (its
 * participant id in {@code Lchat-Participant}, its session token from {@code hello} as
 * {@code Authorization: Bearer}) and the {@code presentation} feature, the node reads at most
 * {@code lchat.presentation.max-bytes} and checks the content ({@link PdfCheck}; pictures are made into a PDF of a
 * page each by {@link ImageDeck}), keeps it in this node's
 * {@link PresentationStore} and tells the room. {@code GET /presentations/{room}/{document}} serves the document the
 * room presents now to its members only; a member's own node fetches it from the node that holds it. Errors are
 * the node's one JSON shape ({@link JsonErrors}).
 */
public final class PresentationRoutes {
  /** The path prefix, under which every error is JSON. */
  public static final String PATH = "presentations";
  private static final String PDFJS = "META-INF/resources/webjars/pdfjs-dist/4.10.38";
  private static final ContentType PDF = ContentTypes.create(MediaTypes.APPLICATION_PDF);
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * The document's fetch key, which the room gives its recorder (no member, and on any node): it fetches from the
   * node that holds the document, with this instead of a member's credentials.
   */
  public static final String DOCUMENT_KEY = "Lchat-Document-Key";
  /** On a fetch one node makes of another for its member. */
  private static final String FORWARDED = "Lchat-Forwarded";

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final PresentationSettings settings;
  private final PdfCheck check;
  private final ImageDeck deck;
  private final PresentationStore store;
  private final ActorRef<DocumentDropped> holder;
  private final Supplier<String> selfBase;
  private final Executor parsing;

  /** {@code selfBase}: this node's HTTP base ({@code http://host:port}), where other nodes fetch its documents. */
  public PresentationRoutes(ActorSystem<?> system, PresentationSettings settings, Duration askTimeout,
                            Supplier<String> selfBase) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
    this.settings = settings;
    this.check = new PdfCheck(settings);
    this.deck = new ImageDeck(settings);
    this.store = new PresentationStore(settings.maxTotalBytes());
    this.holder = system.systemActorOf(store.holder(), "presentations", Props.empty());
    new DocumentSweep(sharding, store, holder, settings.sweepInterval()).start(system);
    this.selfBase = selfBase;
    // PDFBox parses up to max-bytes: off the dispatcher that runs the HTTP server and the actors.
    this.parsing = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  public PresentationStore store() {
    return store;
  }

  public Route routes() {
    return concat(
        path(PathMatchers.segment(PATH).slash(PathMatchers.segment()), room -> post(() -> member(room,
            (participant, token) -> extractRequest(request -> completeWithFuture(
                upload(room, participant, token, request)))))),
        path(PathMatchers.segment(PATH).slash(PathMatchers.segment()).slash(PathMatchers.segment()),
            (room, document) -> get(() -> optionalHeaderValueByName(DOCUMENT_KEY, key -> key.isPresent()
                ? complete(forRecorder(room, document, key.get()))
                : member(room, (participant, token) -> extractRequest(request ->
                    completeWithFuture(fetch(room, document, participant, token, request))))))));
  }

  /**
   * pdf.js from its WebJar, at {@code /vendor/pdfjs/...} ({@code build/pdf.min.mjs} and its worker; the standard
   * fonts for PDFs that do not embed theirs): served by the node, no CDN. ES modules need a JavaScript type.
   */
  public Route pdfjs() {
    return pathPrefix("vendor", () -> pathPrefix("pdfjs", () -> get(() -> getFromResourceDirectory(PDFJS,
        name -> name.endsWith(".mjs") ? ContentTypes.parse("text/javascript; charset=UTF-8")
            : name.endsWith(".pfb") || name.endsWith(".ttf") || name.endsWith(".bcmap")
                ? ContentTypes.APPLICATION_OCTET_STREAM : ContentTypes.TEXT_PLAIN_UTF8))));
  }

  /** The caller's participant id and session token, or 401. */
  private Route member(String room, java.util.function.BiFunction<String, String, Route> inner) {
    if (!SignalingCodec.ROOM_ID.matcher(room).matches()) {
      return complete(JsonErrors.response(400, "invalid_room",
          "A room name has 1 to 64 letters, digits, '.', '_' or '-'."));
    }
    return optionalHeaderValueByName("Authorization", auth -> optionalHeaderValueByName("Lchat-Participant",
        participant -> {
          Optional<String> token = auth.filter(a -> a.startsWith("Bearer ")).map(a -> a.substring(7).trim());
          if (token.isEmpty() || participant.isEmpty() || participant.get().isBlank()) {
            return complete(JsonErrors.response(401, "unauthorized", "Presentations are for the meeting's"
                + " participants: send Lchat-Participant and Authorization: Bearer <session token>."));
          }
          return inner.apply(participant.get(), token.get());
        }));
  }

  private CompletionStage<PresentationReply> access(String room, String participant, String token) {
    return sharding.entityRefFor(RoomActor.ENTITY_KEY, room).ask(
        replyTo -> new PresentationAccess(participant, token, replyTo), askTimeout);
  }

  private CompletionStage<HttpResponse> upload(String room, String participant, String token, HttpRequest request) {
    // Who asks is checked before a byte of the body is read: a stranger's upload costs no parsing.
    return access(room, participant, token).thenCompose(reply -> {
      HttpResponse refused = refusal(reply);
      if (refused != null) {
        return discard(request, refused);
      }
      long claim = request.entity().getContentLengthOption().orElse(settings.maxBytes());
      if (claim > settings.maxBytes()) {
        return discard(request, tooLarge());
      }
      if (!store.reserve(claim)) {
        return discard(request, busy());
      }
      // What this upload has reserved and not handed to a document yet, given back on every way out.
      AtomicLong reserved = new AtomicLong(claim);
      return request.entity().withSizeLimit(settings.maxBytes())
          .toStrict(askTimeout.multipliedBy(10).toMillis(), system)
          .thenComposeAsync(strict -> {
            byte[] bytes = strict.getData().toArray();
            store.release(reserved.getAndSet(bytes.length) - bytes.length);
            return pictures(strict, bytes)
                .thenApplyAsync(pictures -> pictures == null ? check.check(bytes) : deck.assemble(pictures), parsing)
                .thenCompose(verdict -> switch (verdict) {
                  case PdfCheck.Verdict.Refused r -> {
                    store.release(reserved.getAndSet(0));
                    yield CompletableFuture.completedFuture(JsonErrors.response(r.status(), r.code(), r.message()));
                  }
                  case PdfCheck.Verdict.Pdf pdf -> {
                    reserved.set(0); // the document's now: removing it gives it back
                    yield present(room, participant, token, bytes, pdf.pages());
                  }
                  case PdfCheck.Verdict.Made made -> {
                    // The PDF made of the pictures is what the node holds: its size, not the upload's, is reserved.
                    long more = made.pdf().length - bytes.length;
                    if (more > 0 && !store.reserve(more)) {
                      store.release(reserved.getAndSet(0));
                      yield CompletableFuture.completedFuture(busy());
                    }
                    store.release(Math.max(0, -more));
                    reserved.set(0);
                    yield present(room, participant, token, made.pdf(), made.pages());
                  }
                });
          }, parsing)
          .exceptionally(e -> {
            store.release(reserved.getAndSet(0));
            return tooLargeOrFailed(e);
          });
    }).exceptionally(e -> e instanceof java.util.concurrent.CompletionException c && c.getCause() != null
        ? unavailable(c.getCause()) : unavailable(e));
  }

  private CompletionStage<HttpResponse> present(String room, String participant, String token, byte[] bytes,
                                                int pages) {
    String documentId = store.add(room, bytes, pages);
    return sharding.entityRefFor(RoomActor.ENTITY_KEY, room).<PresentationReply>ask(replyTo ->
            new StartPresentation(participant, token, documentId, pages, selfBase.get(),
                store.get(room, documentId).fetchKey(), holder, replyTo),
            askTimeout)
        .thenApply(reply -> {
          HttpResponse refused = refusal(reply);
          if (refused != null) {
            store.remove(documentId);
            return refused;
          }
          system.log().info("room {}: {} presents {} ({} pages, {} bytes)", room, participant, documentId, pages,
              bytes.length);
          PresentationView view = reply.presentation();
          return HttpResponse.create().withStatus(201).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
              JSON.createObjectNode().put("documentId", documentId).put("pageCount", pages)
                  .put("url", view == null ? null : view.url()).toString()));
        })
        .whenComplete((r, e) -> {
          if (e != null) {
            store.remove(documentId); // the room did not answer: nobody will ever drop it
          }
        });
  }

  private CompletionStage<HttpResponse> fetch(String room, String document, String participant, String token,
                                              HttpRequest request) {
    return access(room, participant, token).thenCompose(reply -> {
      if (!reply.member()) {
        return CompletableFuture.completedFuture(JsonErrors.response(403, "forbidden",
            "Only the meeting's participants may fetch its presentation."));
      }
      PresentationView now = reply.presentation();
      if (now == null || !now.documentId().equals(document)) {
        return CompletableFuture.completedFuture(gone());
      }
      PresentationStore.Document d = store.get(room, document);
      if (d != null) {
        return CompletableFuture.completedFuture(served(d));
      }
      return fromHolder(reply.servedBy(), request);
    }).exceptionally(this::unavailable);
  }

  /**
   * A fetch by the room's recorder: only from the node that holds the document (the room named it), with the key the
   * room gave it. The document is held only while the room presents it.
   */
  private HttpResponse forRecorder(String room, String document, String key) {
    PresentationStore.Document d = store.get(room, document);
    if (d == null) {
      return gone();
    }
    if (!d.fetchableWith(key)) {
      return JsonErrors.response(403, "forbidden", "This key does not fetch this presentation.");
    }
    return served(d);
  }

  private static HttpResponse served(PresentationStore.Document d) {
    return HttpResponse.create().withEntity(HttpEntities.create(PDF, d.bytes()))
        .addHeaders(List.of(RawHeader.create("Cache-Control", "private, no-store"),
            RawHeader.create("X-Content-Type-Options", "nosniff")));
  }

  /**
   * The document lives on the node that took its upload: fetched from there with the member's own credentials
   * (that node asks the room again), so a browser only ever talks to its own node. Never forwarded twice.
   */
  private CompletionStage<HttpResponse> fromHolder(String servedBy, HttpRequest request) {
    if (servedBy == null || servedBy.equals(selfBase.get()) || request.getHeader(FORWARDED).isPresent()) {
      return CompletableFuture.completedFuture(gone());
    }
    HttpRequest forward = HttpRequest.GET(servedBy + request.getUri().path())
        .addHeaders(List.of(RawHeader.create(FORWARDED, "1"),
            RawHeader.create("Authorization", request.getHeader("Authorization").map(HttpHeader::value).orElse("")),
            RawHeader.create("Lchat-Participant",
                request.getHeader("Lchat-Participant").map(HttpHeader::value).orElse(""))));
    return Http.get(system).singleRequest(forward);
  }

  /**
   * The pictures of an upload that is a set of slides as images: the parts of a {@code multipart/form-data} body
   * (in their order; none when the body is not well-formed multipart, which the deck refuses clearly), or the body
   * itself when it is one picture. Null for anything else, which must be a PDF.
   */
  private CompletionStage<List<byte[]>> pictures(HttpEntity.Strict strict, byte[] bytes) {
    var type = strict.getContentType().mediaType();
    if (type.isMultipart() && type.subType().equals("form-data")) {
      Materializer materializer = Materializer.matFromSystem(system);
      return Unmarshaller.entityToMultipartFormData().unmarshal(strict, materializer)
          .thenCompose(form -> form.toStrict(askTimeout.toMillis(), materializer))
          .<List<byte[]>>thenApply(form -> {
            List<byte[]> parts = new java.util.ArrayList<>();
            form.getStrictParts().forEach(part -> parts.add(part.getEntity().getData().toArray()));
            return parts;
          })
          .exceptionally(e -> List.of());
    }
    return CompletableFuture.completedFuture(ImageDeck.isImage(bytes) ? List.of(bytes) : null);
  }

  private static HttpResponse busy() {
    return JsonErrors.response(503, "busy", "This node holds as many presentations as it may"
        + " (lchat.presentation.max-total-bytes); try again when one has stopped.");
  }

  /** A refusal from the room as an HTTP answer, or null when the room granted it. */
  private static HttpResponse refusal(PresentationReply reply) {
    if (!reply.member()) {
      return JsonErrors.response(403, "forbidden", reply.message());
    }
    if (reply.code() != null) {
      return JsonErrors.response(reply.code().equals("invalid") ? 400 : 403, reply.code(), reply.message());
    }
    return null;
  }

  private CompletionStage<HttpResponse> discard(HttpRequest request, HttpResponse answer) {
    request.discardEntityBytes(system);
    return CompletableFuture.completedFuture(answer);
  }

  private HttpResponse tooLargeOrFailed(Throwable e) {
    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause() : e;
    if (cause instanceof EntityStreamSizeException || cause.getCause() instanceof EntityStreamSizeException) {
      return tooLarge();
    }
    return unavailable(cause);
  }

  private HttpResponse tooLarge() {
    return JsonErrors.response(413, "too_large", "This file is over the limit of "
        + settings.maxBytes() / (1024 * 1024) + " MiB (" + settings.maxBytes() + " bytes) for a presentation.");
  }

  private HttpResponse unavailable(Throwable e) {
    system.log().warn("presentation request failed: {}", e.toString());
    return JsonErrors.response(503, "unavailable", "The meeting did not answer in time; try again.");
  }

  private static HttpResponse gone() {
    return JsonErrors.response(404, "not_found", "This presentation is not shown in the meeting any more.");
  }
}
