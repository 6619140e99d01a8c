package uk.co.lchat.node.whip;

import uk.co.lchat.room.RoomProtocol.Identity;

/**
 * What a WHIP or WHEP POST presented: its bearer {@code credential} as sent (null: none; the session's DELETE and
 * PATCH must present it again), read as either the room {@code passcode} or a verified join token's
 * {@code identity} (never both), and the client's address (passcode guesses are counted by it).
 */
public record Access(String credential, String passcode, Identity identity, String clientAddress) {}
