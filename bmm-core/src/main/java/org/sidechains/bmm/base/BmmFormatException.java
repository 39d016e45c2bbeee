package org.sidechains.bmm.base;

/**
 * Untrusted bytes that do not have the shape the protocol requires. The only exception the
 * module's parsers throw, whatever the input.
 */
public final class BmmFormatException extends Exception {
    public BmmFormatException(String message) {
        super(message);
    }
}
