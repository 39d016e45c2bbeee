package org.sidechains.bmm.bitcoinj.assemble;

import java.util.Objects;
import org.bitcoinj.base.Coin;
import org.bitcoinj.core.NetworkParameters;

/**
 * The block subsidy as Bitcoin Core's {@code GetBlockSubsidy}: 50 BTC, halved every
 * {@link NetworkParameters#getSubsidyDecreaseBlockCount()} blocks (210,000 on mainnet, testnet and
 * signet; 150 on regtest, as bitcoinj's {@code RegTestParams} and bitcoind's
 * {@code -regtest} both set), and zero from the 64th halving on.
 *
 * <p>Not bitcoinj's {@code BitcoinNetworkParams.getBlockInflation}: it shifts by the number of
 * halvings without that cut-off, and Java's {@code long >> 64} is {@code >> 0}, so from the 64th
 * halving (regtest height 9600) it gives 50 BTC again, where bitcoind allows only the fees.
 */
public final class Subsidy {
    /** Bitcoin Core: "Force block reward to zero when right shift is undefined." */
    private static final int MAX_HALVINGS = 64;

    private Subsidy() {
    }

    public static Coin at(NetworkParameters params, int height) {
        Objects.requireNonNull(params, "params");
        return at(params.getSubsidyDecreaseBlockCount(), height);
    }

    /** The subsidy at {@code height} for a halving interval of {@code halvingInterval} blocks. */
    public static Coin at(int halvingInterval, int height) {
        if (halvingInterval < 1) {
            throw new IllegalArgumentException("halvingInterval must be >= 1, got " + halvingInterval);
        }
        if (height < 0) {
            throw new IllegalArgumentException("height must be >= 0, got " + height);
        }
        int halvings = height / halvingInterval;
        return halvings >= MAX_HALVINGS ? Coin.ZERO : Coin.FIFTY_COINS.shiftRight(halvings);
    }
}
