package org.sidechains.bmm.regtest.bitcoind;

/**
 * No usable bitcoind: the path given with {@code --bitcoind} or {@code BITCOIND} is missing or not executable,
 * or nothing was given and there is no {@code bitcoind} on {@code PATH}.
 */
public class BitcoindNotFoundException extends BitcoindException {
    private static final long serialVersionUID = 1L;

    public BitcoindNotFoundException(String message) {
        super(message);
    }
}
