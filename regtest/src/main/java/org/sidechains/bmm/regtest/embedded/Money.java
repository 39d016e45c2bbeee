package org.sidechains.bmm.regtest.embedded;

/** bitcoind's FormatMoney: at least two decimals, trailing zeros dropped ("1.00", "0.0001"). */
final class Money {
    private Money() {
    }

    static String format(long sats) {
        long abs = Math.abs(sats);
        String s = String.format("%s%d.%08d", sats < 0 ? "-" : "", abs / 100_000_000L, abs % 100_000_000L);
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '0' && end - s.indexOf('.') > 3) {
            end--;
        }
        return s.substring(0, end);
    }
}
