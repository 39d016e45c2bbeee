package org.sidechains.bmm.m8;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import org.sidechains.bmm.base.MiniHeader;

/**
 * Detects M8s and writes their output-0 script (protocol.md, "M8"): a version-3 transaction whose
 * output 0 is exactly {@code 6a 29 "BMM8" <mini-header 35> <mainAnchor 2>} (43 bytes).
 */
public final class M8Codec {
    public static final int TX_VERSION = 3;
    public static final int SCRIPT_SIZE = 43;
    private static final byte[] PREFIX = {0x6a, 0x29, 0x42, 0x4d, 0x4d, 0x38};

    private M8Codec() {
    }

    /** An M8 iff the version is 3 and output 0's script has exactly the 43-byte pattern. */
    public static Optional<M8Tag> detect(long txVersion, byte[] output0Script) {
        return txVersion == TX_VERSION ? parseScript(output0Script) : Optional.empty();
    }

    /** The tag carried by a script of the M8 pattern, whatever the transaction's version. */
    public static Optional<M8Tag> parseScript(byte[] script) {
        if (script.length != SCRIPT_SIZE || !Arrays.equals(script, 0, PREFIX.length, PREFIX, 0, PREFIX.length)) {
            return Optional.empty();
        }
        ByteBuffer buf = ByteBuffer.wrap(script, PREFIX.length, MiniHeader.SIZE + 2);
        MiniHeader mh = MiniHeader.read(buf);
        int anchor = (buf.get() & 0xFF) | (buf.get() & 0xFF) << 8;
        return Optional.of(new M8Tag(mh, anchor));
    }

    /** The output-0 scriptPubKey of an M8 (its value is 0). */
    public static byte[] script(M8Tag tag) {
        ByteBuffer buf = ByteBuffer.allocate(SCRIPT_SIZE);
        buf.put(PREFIX);
        tag.miniHeader().write(buf);
        buf.put((byte) tag.mainAnchor()).put((byte) (tag.mainAnchor() >>> 8));
        return buf.array();
    }
}
