package uk.co.lchat.node.whip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import uk.co.lchat.node.whip.SessionResources.Found;
import uk.co.lchat.node.whip.SessionResources.Forbidden;
import uk.co.lchat.node.whip.SessionResources.NotFound;
import uk.co.lchat.node.whip.SessionResources.Protocol;
import uk.co.lchat.node.whip.SessionResources.Unauthorized;

class SessionResourcesTest {
  private final SessionResources resources = new SessionResources();

  @Test
  void aResourceIdCarriesAtLeast128RandomBitsInBase64url() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = SessionResources.newId();
      assertTrue(id.matches("[A-Za-z0-9_-]{22}"), id);
      assertEquals(16, Base64.getUrlDecoder().decode(id).length);
      assertTrue(seen.add(id), "ids do not repeat");
    }
  }

  @Test
  void aSessionCreatedWithACredentialIsFoundOnlyWithThatCredential() {
    resources.open("id1", Protocol.WHIP, "moon", "moon-42", null, "p1");
    Found found = assertInstanceOf(Found.class, resources.find(Protocol.WHIP, "moon", "id1", "moon-42"));
    assertEquals("p1", found.participantId());
    assertInstanceOf(Unauthorized.class, resources.find(Protocol.WHIP, "moon", "id1", null));
    assertInstanceOf(Forbidden.class, resources.find(Protocol.WHIP, "moon", "id1", "moon-43"));
    assertInstanceOf(Forbidden.class, resources.find(Protocol.WHIP, "moon", "id1", ""));
  }

  @Test
  void aSessionCreatedWithoutACredentialIsHeldByItsUrlAlone() {
    resources.open("id1", Protocol.WHEP, "moon", null, null, "v1");
    assertInstanceOf(Found.class, resources.find(Protocol.WHEP, "moon", "id1", null));
    assertInstanceOf(Found.class, resources.find(Protocol.WHEP, "moon", "id1", "anything"));
  }

  @Test
  void anotherRoomOrProtocolOrAnEndedSessionFindsNothing() {
    resources.open("id1", Protocol.WHIP, "moon", null, null, "p1");
    assertInstanceOf(NotFound.class, resources.find(Protocol.WHEP, "moon", "id1", null));
    assertInstanceOf(NotFound.class, resources.find(Protocol.WHIP, "sun", "id1", null));
    assertInstanceOf(NotFound.class, resources.find(Protocol.WHIP, "moon", "p1", null), "not by roster id");
    resources.close("id1");
    assertInstanceOf(NotFound.class, resources.find(Protocol.WHIP, "moon", "id1", null));
    assertEquals(0, resources.size());
  }

  @Test
  void onlyABearerAuthorizationCarriesACredential() {
    assertEquals("moon-42", WhipWhepRoutes.bearer(Optional.of("Bearer moon-42")));
    assertEquals("moon-42", WhipWhepRoutes.bearer(Optional.of("bearer  moon-42 ")));
    assertNull(WhipWhepRoutes.bearer(Optional.of("Basic dXNlcjpwYXNz")));
    assertNull(WhipWhepRoutes.bearer(Optional.of("Bearer ")));
    assertNull(WhipWhepRoutes.bearer(Optional.empty()));
  }
}
