package uk.co.lchat.node.http;

import java.time.Duration;

import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Closes a connection whose next request's head (request line and headers, RFC 9112 §2.1) has not arrived within
 * {@code timeout} of the connection opening or of the previous response having been written. pekko-http has no
 * such bound: its idle timeout restarts with every byte, so a client sending one byte every few seconds
 * ("slowloris") holds a connection for as long as it likes, and enough of them lock everybody out.
 *
 * <p>It sits between pekko-http's server layer and the routes, where a request appears once its head is parsed.
 * A WebSocket is exempt once upgraded ({@code 101}: no requests follow; its messages have their own rate limit), and
 * so is a response still being written: the clock starts again only when its entity has been sent.
 */
final class RequestHeadDeadline extends GraphStage<BidiShape<HttpResponse, HttpResponse, HttpRequest, HttpRequest>> {
  private static final String TIMER = "request-head";

  private final Inlet<HttpResponse> responseIn = Inlet.create("RequestHeadDeadline.responseIn");
  private final Outlet<HttpResponse> responseOut = Outlet.create("RequestHeadDeadline.responseOut");
  private final Inlet<HttpRequest> requestIn = Inlet.create("RequestHeadDeadline.requestIn");
  private final Outlet<HttpRequest> requestOut = Outlet.create("RequestHeadDeadline.requestOut");
  private final BidiShape<HttpResponse, HttpResponse, HttpRequest, HttpRequest> shape =
      BidiShape.of(responseIn, responseOut, requestIn, requestOut);
  private final Duration timeout;
  private final Runnable timedOut;

  /** {@code timedOut} runs when a connection is closed for being too slow. */
  RequestHeadDeadline(Duration timeout, Runnable timedOut) {
    this.timeout = timeout;
    this.timedOut = timedOut;
  }

  @Override
  public BidiShape<HttpResponse, HttpResponse, HttpRequest, HttpRequest> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private AsyncCallback<Done> responseWritten;

      {
        setHandler(requestIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            cancelTimer(TIMER);
            push(requestOut, grab(requestIn));
          }

          @Override
          public void onUpstreamFinish() {
            complete(requestOut); // responses in progress still go out
          }
        });
        setHandler(requestOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(requestIn);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(requestIn, cause);
          }
        });
        setHandler(responseIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            push(responseOut, watched(grab(responseIn)));
          }

          @Override
          public void onUpstreamFinish() {
            complete(responseOut);
          }
        });
        setHandler(responseOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(responseIn);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(responseIn, cause);
          }
        });
      }

      @Override
      public void preStart() {
        responseWritten = createAsyncCallback(done -> arm());
        arm();
      }

      /** Starts the clock for the next request once {@code response} is written; never after an upgrade. */
      private HttpResponse watched(HttpResponse response) {
        if (response.status().equals(StatusCodes.SWITCHING_PROTOCOLS)) {
          return response;
        }
        if (response.entity().isStrict()) {
          arm();
          return response;
        }
        return response.transformEntityDataBytes(Flow.<ByteString>create().watchTermination((mat, done) -> {
          done.whenComplete((d, e) -> responseWritten.invoke(Done.getInstance()));
          return mat;
        }));
      }

      private void arm() {
        if (!isClosed(responseOut)) {
          scheduleOnce(TIMER, timeout);
        }
      }

      @Override
      public void onTimer(Object key) {
        timedOut.run();
        completeStage();
      }
    };
  }
}
