package uk.co.lchat.node.tls;

import static org.apache.pekko.http.javadsl.server.Directives.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The plain-HTTP port of a node that serves HTTPS ({@code lchat.http.tls.redirect-port}): every request is sent to
 * the same host, path and query over HTTPS with {@code 308 Permanent Redirect} (RFC 9110 §15.4.9: the method and
 * body are kept, so a WHIP POST follows too). With {@code acme-webroot} it also serves the HTTP-01 challenges
 * (RFC 8555 §8.3) that certbot's webroot plugin writes there, so certificates are issued and renewed while the node
 * holds port 80.
 */
public final class HttpsRedirect {
  /** RFC 8555 §8.1: a token is base64url characters. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,256}");

  private HttpsRedirect() {}

  /** Where LAN mode's CA certificate can be downloaded from the plain port, to be imported on each device. */
  public static final String CA_PATH = "lan-ca.crt";

  /**
   * {@code caCertificate}: LAN mode's CA, served at {@link #CA_PATH} (plain HTTP, so a device that does not trust it
   * yet can fetch it without a warning; the person compares its fingerprint with the one the node printed).
   */
  public static Route routes(int httpsPort, Optional<Path> acmeWebroot, Optional<Path> caCertificate) {
    Route redirect = extractRequest(request -> complete(redirect(request, httpsPort)));
    if (caCertificate.isPresent()) {
      redirect = concat(path(CA_PATH, () -> get(() -> getFromFile(caCertificate.get().toFile(),
          ContentTypes.create(MediaTypes.applicationBinary("x-x509-ca-cert", false, "crt"))))),
          redirect);
    }
    if (acmeWebroot.isEmpty()) {
      return redirect;
    }
    Path challenges = acmeWebroot.get().resolve(".well-known").resolve("acme-challenge");
    return concat(
        pathPrefix(PathMatchers.segment(".well-known").slash("acme-challenge"), () ->
            path(PathMatchers.segment(), token -> get(() -> {
              Path file = challenges.resolve(token);
              if (!TOKEN.matcher(token).matches() || !Files.isRegularFile(file)) {
                return complete(StatusCodes.NOT_FOUND, "No such challenge.\n");
              }
              return getFromFile(file.toFile(), ContentTypes.TEXT_PLAIN_UTF8);
            }))),
        redirect);
  }

  /** 308 to https://host[:port]/path?query, or 400 for a request without a Host (HTTP/1.0). */
  static HttpResponse redirect(HttpRequest request, int httpsPort) {
    Optional<Host> host = request.getHeader(Host.class);
    if (host.isEmpty() || host.get().host().address().isEmpty()) {
      return HttpResponse.create().withStatus(StatusCodes.BAD_REQUEST)
          .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, "This port redirects to HTTPS and needs a"
              + " Host header.\n"));
    }
    String address = host.get().host().address();
    String authority = (address.contains(":") ? "[" + address + "]" : address)
        + (httpsPort == 443 ? "" : ":" + httpsPort);
    String target = "https://" + authority + request.getUri().toRelative().toString();
    return HttpResponse.create().withStatus(StatusCodes.PERMANENT_REDIRECT)
        .addHeader(Location.create(target))
        .withEntity(HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, "This meeting service is at " + target + "\n"));
  }
}
