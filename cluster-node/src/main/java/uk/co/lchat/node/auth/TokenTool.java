package uk.co.lchat.node.auth;

import java.io.File;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;

/**
 * {@code bin/lchat token --room R --name N [--moderator] [--ttl 1h] [--subject S] [--feature name=true|false]...
 * [--config FILE]}: prints a join token signed HS256 with the configured {@code lchat.auth.hs256-secret} (from
 * {@code --config}, {@code -Dlchat.auth.hs256-secret} or {@code LCHAT_AUTH_HS256_SECRET}). For trying tokens out
 * and for small deployments; a real back end signs its own.
 */
public final class TokenTool {
  private TokenTool() {}

  /** What to put in a token. {@code grants} null: no features claim. */
  public record Request(String room, String name, boolean moderator, Duration ttl, String subject,
                        Map<String, Boolean> grants) {}

  public static void main(String[] args) {
    try {
      Parsed p = parse(args);
      AuthSettings settings = AuthSettings.fromConfig((p.config == null ? ConfigFactory.empty()
          : ConfigFactory.parseFile(p.config)).withFallback(ConfigFactory.load()).resolve());
      if (settings.hs256Secret() == null) {
        throw new IllegalArgumentException("lchat.auth.hs256-secret is not set (--config FILE, or the environment"
            + " variable LCHAT_AUTH_HS256_SECRET)");
      }
      System.out.println(sign(settings.hs256Secret(), p.request, Instant.now()));
    } catch (IllegalArgumentException e) {
      System.err.println("lchat token: " + e.getMessage());
      System.err.println("usage: bin/lchat token --room R --name N [--moderator] [--ttl 1h] [--subject S]"
          + " [--feature screenshare=false]... [--config FILE]");
      System.exit(2);
    }
  }

  /** A token for {@code r}, valid from {@code now} for its ttl. */
  public static String sign(byte[] secret, Request r, Instant now) {
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .claim("room", r.room())
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plus(r.ttl())));
    if (r.name() != null) {
      claims.claim("name", r.name());
    }
    claims.claim("role", r.moderator() ? "moderator" : "participant");
    if (r.subject() != null) {
      claims.subject(r.subject());
    }
    if (r.grants() != null) {
      claims.claim("features", r.grants());
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    try {
      jwt.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("cannot sign: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  record Parsed(Request request, File config) {}

  static Parsed parse(String[] args) {
    String room = null;
    String name = null;
    String subject = null;
    boolean moderator = false;
    Duration ttl = Duration.ofHours(1);
    Map<String, Boolean> grants = null;
    File config = null;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--moderator")) {
        moderator = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String value = args[++i];
      switch (flag) {
        case "--room" -> room = value;
        case "--name" -> name = value;
        case "--subject" -> subject = value;
        case "--ttl" -> ttl = duration(value);
        case "--feature" -> {
          String[] kv = value.split("=", 2);
          if (kv.length != 2 || !(kv[1].equals("true") || kv[1].equals("false"))) {
            throw new IllegalArgumentException("--feature takes name=true or name=false, got " + value);
          }
          if (grants == null) {
            grants = new LinkedHashMap<>();
          }
          grants.put(kv[0], Boolean.parseBoolean(kv[1]));
        }
        case "--config" -> {
          config = new File(value);
          if (!config.isFile()) {
            throw new IllegalArgumentException("no such configuration file: " + value);
          }
        }
        default -> throw new IllegalArgumentException("unknown flag " + flag);
      }
    }
    if (room == null || !RoomPattern.matches(room, room.replace("*", "x"))) {
      throw new IllegalArgumentException("--room takes a room name, * or a pattern such as team-*");
    }
    return new Parsed(new Request(room, name, moderator, ttl, subject, grants), config);
  }

  private static Duration duration(String value) {
    try {
      Duration d = ConfigFactory.parseString("ttl = \"" + value.replace("\"", "") + "\"").getDuration("ttl");
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("--ttl must be positive");
      }
      return d;
    } catch (ConfigException e) {
      throw new IllegalArgumentException("--ttl takes a duration such as 90s, 30m, 1h or 2d, got " + value);
    }
  }
}
