package org.sidechains.bmm.rules;

/**
 * The soft fork's parameters: where the rules start, the D3 window and the OP_CBV depth.
 *
 * @param activationHeight first height whose blocks must follow the BMM rules
 * @param window           D3 keeps the last {@code window} main:blocks (8000)
 * @param minBlocksAtop    OP_CBV is satisfied from this many blocksAtop (100)
 */
public record BmmParams(long activationHeight, int window, int minBlocksAtop) {
    public static final int DEFAULT_WINDOW = 8000;
    public static final int DEFAULT_MIN_BLOCKS_ATOP = 100;

    public BmmParams {
        if (activationHeight < 0) {
            throw new IllegalArgumentException("activationHeight must be >= 0");
        }
        if (window < 1) {
            throw new IllegalArgumentException("window must be >= 1");
        }
        if (minBlocksAtop < 0) {
            throw new IllegalArgumentException("minBlocksAtop must be >= 0");
        }
    }

    /** Regtest: active from genesis, the protocol's window and depth. */
    public static BmmParams regtest() {
        return new BmmParams(0, DEFAULT_WINDOW, DEFAULT_MIN_BLOCKS_ATOP);
    }

    public boolean activeAt(long height) {
        return height >= activationHeight;
    }

    public BmmParams withActivationHeight(long h) {
        return new BmmParams(h, window, minBlocksAtop);
    }

    public BmmParams withWindow(int w) {
        return new BmmParams(activationHeight, w, minBlocksAtop);
    }

    public BmmParams withMinBlocksAtop(int m) {
        return new BmmParams(activationHeight, window, m);
    }
}
