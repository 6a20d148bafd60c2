/**
 * The payload key of the committed histories, kept for tests only: it encrypts the fixtures' made-up declarations in
 * test/replay/histories/ and nothing else. Never a key of a real deployment.
 */
export const REPLAY_PAYLOAD_KEYS = 'replay-test:BdrnFGJ0zHbFngZX3P6lw2710AYFIm0P3Jw4ezL8DWk=';
