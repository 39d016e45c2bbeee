package org.sidechains.bmm.rules;

/** The reject reasons of the BMM soft fork (protocol.md, "Block rules"), with their exact strings. */
public enum RejectReason {
    /** An M8's mainAnchor is not the block's height modulo 65536. */
    M8_ANCHOR("bmm-m8-anchor"),
    /** An M8's mini-header does not equal the block's M7 entry for its ChainIndex (all 35 bytes). */
    M8_NO_M7("bmm-m8-no-m7"),
    /** A second M8 for the same ChainIndex. */
    M8_DUPLICATE("bmm-m8-duplicate"),
    /** An OP_CBV in a spent script is not satisfied by D3. */
    CBV_UNSATISFIED("bmm-cbv-unsatisfied");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    /** The reject reason as it appears on the wire, in logs and in JSON. */
    public String code() {
        return code;
    }

    @Override
    public String toString() {
        return code;
    }
}
