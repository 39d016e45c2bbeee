package org.sidechains.bmm.regtest.vectors;

/** A d3-scenarios file that cannot be replayed; the message names the place and what to fix. */
public final class ScenarioFormatException extends Exception {
    public ScenarioFormatException(String message) {
        super(message);
    }
}
