package uk.co.lchat.node.auth;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import uk.co.lchat.room.RoomProtocol.Identity;

/**
 * Verifies join tokens: JWTs (RFC 7519) signed HS256 with {@code lchat.auth.hs256-secret} or RS256/ES256 with a key
 * of {@code lchat.auth.jwks-file}, for one room. Runs where the join arrives (the signaling session, the WHIP/WHEP
 * route), never on a room's thread, and hands the room only the verified claims ({@link Identity}).
 *
 * <p>Claims: {@code room} (required: the room, {@code *}, or a {@code *} pattern, {@link RoomPattern}), {@code exp}
 * (required) and {@code nbf} (optional), both with {@code lchat.auth.clock-skew}; {@code name} (the display name),
 * {@code role} ({@code moderator} or {@code participant}; {@code "moderator": true} also makes one),
 * {@code features} (an object of booleans, e.g. {@code {"recording": true, "screenshare": false}}), {@code sub}
 * (the user: a removal bans it from the room), and {@code iss} / {@code aud} when configured. The signature is
 * checked before anything the token says is believed; any other algorithm, {@code none} included, is refused.
 * Verification never throws: a malformed token is a refusal.
 */
public final class JoinTokens {
  /** Longer tokens are refused unread (a signaling field holds 8192 characters anyway). */
  public static final int MAX_TOKEN_CHARS = 8192;
  private static final int MAX_FEATURES = 32;
  private static final int MAX_SUBJECT_CHARS = 256;
  private static final Pattern COMPACT_JWS = Pattern.compile("[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]+");

  /** The outcome of a verification. */
  public sealed interface Verdict {}

  public record Valid(Identity identity) implements Verdict {}

  /** {@code code}: {@code token_invalid}, {@code token_expired} or {@code token_wrong_room}. */
  public record Refused(String code, String message) implements Verdict {}

  private final AuthSettings settings;
  private final JwksFile jwks;

  public JoinTokens(AuthSettings settings) {
    this.settings = settings;
    this.jwks = settings.jwksFile() == null ? null : new JwksFile(settings.jwksFile(), settings.jwksReloadInterval());
  }

  /**
   * Whether a bearer credential is a token rather than a room passcode: a compact JWS (three base64url parts)
   * whose header is a JSON object naming an {@code alg}. Anything else a WHIP/WHEP client sends is its passcode.
   */
  public static boolean looksLikeToken(String credential) {
    if (credential == null || credential.length() > MAX_TOKEN_CHARS || !COMPACT_JWS.matcher(credential).matches()) {
      return false;
    }
    try {
      String header = new String(Base64.getUrlDecoder().decode(credential.substring(0, credential.indexOf('.'))),
          StandardCharsets.UTF_8).strip();
      return header.startsWith("{") && header.contains("\"alg\"");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public Verdict verify(String token, String roomId, Instant now) {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      return invalid("The token is empty or too long.");
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException | RuntimeException e) {
      return invalid("The token is not a signed JWT.");
    }
    if (!signedByUs(jwt)) {
      return invalid("The token is not signed by a key this service trusts.");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return invalid("The token's claims are not a JSON object.");
    }
    try {
      return judge(claims, roomId, now);
    } catch (ParseException | ClassCastException e) {
      return invalid("A claim of the token has the wrong type: " + e.getMessage());
    }
  }

  private Verdict judge(JWTClaimsSet c, String roomId, Instant now) throws ParseException {
    Date exp = c.getExpirationTime();
    if (exp == null) {
      return invalid("The token has no expiry (exp).");
    }
    if (now.isAfter(exp.toInstant().plus(settings.clockSkew()))) {
      return new Refused("token_expired", "This invitation expired at " + exp.toInstant() + ".");
    }
    Date nbf = c.getNotBeforeTime();
    if (nbf != null && now.plus(settings.clockSkew()).isBefore(nbf.toInstant())) {
      return new Refused("token_expired", "This invitation is not valid before " + nbf.toInstant() + ".");
    }
    if (!settings.issuer().isEmpty() && !settings.issuer().equals(c.getIssuer())) {
      return invalid("The token is not from the expected issuer.");
    }
    if (!settings.audience().isEmpty() && (c.getAudience() == null || !c.getAudience().contains(
        settings.audience()))) {
      return invalid("The token is not for this service (aud).");
    }
    Object room = c.getClaim("room");
    if (!(room instanceof String pattern)) {
      return invalid("The token names no room (claim \"room\").");
    }
    if (!RoomPattern.matches(pattern, roomId)) {
      return new Refused("token_wrong_room", "This invitation is for another meeting.");
    }
    String name = c.getStringClaim("name");
    boolean moderator;
    Object role = c.getClaim("role");
    if (role == null) {
      moderator = Boolean.TRUE.equals(c.getBooleanClaim("moderator"));
    } else if ("moderator".equals(role)) {
      moderator = true;
    } else if ("participant".equals(role)) {
      moderator = false;
    } else {
      return invalid("The token's role is moderator or participant.");
    }
    Map<String, Boolean> grants = null;
    Object features = c.getClaim("features");
    if (features != null) {
      if (!(features instanceof Map<?, ?> map) || map.size() > MAX_FEATURES) {
        return invalid("The token's features are an object of at most " + MAX_FEATURES + " true/false flags.");
      }
      grants = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key) || key.length() > 64 || !(e.getValue() instanceof Boolean on)) {
          return invalid("The token's features are an object of true/false flags.");
        }
        grants.put(key, on);
      }
    }
    String subject = c.getSubject();
    if (subject != null && (subject.isEmpty() || subject.length() > MAX_SUBJECT_CHARS)) {
      return invalid("The token's subject has 1 to " + MAX_SUBJECT_CHARS + " characters.");
    }
    return new Valid(new Identity(subject, name, moderator, grants));
  }

  private boolean signedByUs(SignedJWT jwt) {
    for (JWSVerifier v : verifiersFor(jwt.getHeader())) {
      try {
        if (jwt.verify(v)) {
          return true;
        }
      } catch (JOSEException | RuntimeException e) {
        // this key cannot check it; the next may
      }
    }
    return false;
  }

  /** The keys that may have signed a token with this header: by algorithm, and by key id when it names one. */
  private List<JWSVerifier> verifiersFor(JWSHeader header) {
    List<JWSVerifier> verifiers = new ArrayList<>();
    JWSAlgorithm alg = header.getAlgorithm();
    try {
      if (JWSAlgorithm.HS256.equals(alg)) {
        if (settings.hs256Secret() != null) {
          verifiers.add(new MACVerifier(settings.hs256Secret()));
        }
      } else if ((JWSAlgorithm.RS256.equals(alg) || JWSAlgorithm.ES256.equals(alg)) && jwks != null) {
        for (JWK key : jwks.keys().getKeys()) {
          if (header.getKeyID() != null && !header.getKeyID().equals(key.getKeyID())) {
            continue;
          }
          if (key.getAlgorithm() != null && !key.getAlgorithm().equals(alg)
              || key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            continue;
          }
          if (JWSAlgorithm.RS256.equals(alg) && key instanceof RSAKey rsa) {
            verifiers.add(new RSASSAVerifier(rsa.toRSAPublicKey()));
          } else if (JWSAlgorithm.ES256.equals(alg) && key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
            verifiers.add(new ECDSAVerifier(ec.toECPublicKey()));
          }
        }
      }
    } catch (JOSEException e) {
      // a key unfit for the algorithm: it verifies nothing
    }
    return verifiers;
  }

  private static Refused invalid(String why) {
    return new Refused("token_invalid", why);
  }
}
