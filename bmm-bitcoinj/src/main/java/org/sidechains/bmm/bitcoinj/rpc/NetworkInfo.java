package org.sidechains.bmm.bitcoinj.rpc;

import java.util.Objects;
import org.bitcoinj.base.Coin;

/**
 * What {@code getnetworkinfo} says that this project uses.
 *
 * @param version    e.g. 250000 for v25.0.0
 * @param subversion the user agent, e.g. "/Satoshi:25.0.0/"
 * @param relayFee   minimum relay fee per kvB
 */
public record NetworkInfo(int version, String subversion, int protocolVersion, int connections,
                          boolean networkActive, Coin relayFee) {
    public NetworkInfo {
        Objects.requireNonNull(subversion, "subversion");
        Objects.requireNonNull(relayFee, "relayFee");
    }
}
