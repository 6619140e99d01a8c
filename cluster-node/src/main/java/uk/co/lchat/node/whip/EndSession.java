package uk.co.lchat.node.whip;

/** DELETE on a WHIP or WHEP resource: the session leaves the room and its media ends. */
public record EndSession() {}
