package org.sidechains.bmm.regtest.embedded.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.bitcoinj.base.Coin;
import org.sidechains.bmm.bitcoinj.tx.TransactionChecks;
import org.sidechains.bmm.regtest.rpcserver.RpcException;

/** Amounts in JSON as bitcoind writes (ValueFromAmount: BTC with 8 decimals) and reads them (AmountFromValue). */
final class Amounts {

    private Amounts() {
    }

    /** 50 BTC as the JSON number {@code 50.00000000}. */
    static DecimalNode json(Coin value) {
        return json(value.value);
    }

    static DecimalNode json(long sats) {
        return DecimalNode.valueOf(BigDecimal.valueOf(sats, 8));
    }

    /** bitcoind's AmountFromValue: a number or a string of BTC with at most 8 decimals, within 0..21M. */
    static Coin parse(JsonNode v) {
        if (!v.isNumber() && !v.isTextual()) {
            throw RpcException.typeError("Amount is not a number or string");
        }
        BigDecimal btc;
        try {
            btc = new BigDecimal(v.asText().trim());
        } catch (NumberFormatException e) {
            throw RpcException.typeError("Invalid amount");
        }
        BigDecimal sats = btc.movePointRight(8);
        long value;
        try {
            value = sats.setScale(0, RoundingMode.UNNECESSARY).longValueExact();
        } catch (ArithmeticException e) {
            throw RpcException.typeError("Invalid amount");
        }
        if (value < 0 || value > TransactionChecks.MAX_MONEY) {
            throw RpcException.typeError("Amount out of range");
        }
        return Coin.valueOf(value);
    }
}
