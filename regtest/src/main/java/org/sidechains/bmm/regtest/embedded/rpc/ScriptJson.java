package org.sidechains.bmm.regtest.embedded.rpc;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.LegacyAddress;
import org.bitcoinj.base.SegwitAddress;
import org.bitcoinj.crypto.ECKey;

/**
 * A scriptPubKey as bitcoind's ScriptToUniv shows it: {@code asm}, {@code desc} (the inferred
 * descriptor with its checksum), {@code hex}, {@code address} (when it has one, not for bare
 * pubkeys) and {@code type}, on regtest.
 */
final class ScriptJson {
    private static final HexFormat HEX = HexFormat.of();

    private ScriptJson() {
    }

    static ObjectNode of(byte[] script) {
        OutputType.Solved solved = OutputType.solve(script);
        Optional<String> address = address(solved);
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("asm", ScriptAsm.of(script));
        o.put("desc", DescriptorChecksum.append(descriptor(script, solved, address)));
        o.put("hex", HEX.formatHex(script));
        if (address.isPresent() && solved.type() != OutputType.PUBKEY) {
            o.put("address", address.get());
        }
        o.put("type", solved.type().jsonName());
        return o;
    }

    /** bitcoind's ExtractDestination + EncodeDestination for regtest. */
    static Optional<String> address(OutputType.Solved solved) {
        try {
            return switch (solved.type()) {
                case PUBKEY -> Optional.of(LegacyAddress.fromPubKeyHash(BitcoinNetwork.REGTEST,
                        org.bitcoinj.crypto.internal.CryptoUtils.sha256hash160(solved.solutions().get(0))).toString());
                case PUBKEYHASH -> Optional.of(LegacyAddress.fromPubKeyHash(BitcoinNetwork.REGTEST,
                        solved.solutions().get(0)).toString());
                case SCRIPTHASH -> Optional.of(LegacyAddress.fromScriptHash(BitcoinNetwork.REGTEST,
                        solved.solutions().get(0)).toString());
                case WITNESS_V0_KEYHASH, WITNESS_V0_SCRIPTHASH, WITNESS_V1_TAPROOT, WITNESS_UNKNOWN ->
                        Optional.of(SegwitAddress.fromProgram(BitcoinNetwork.REGTEST, solved.witnessVersion(),
                                solved.solutions().get(0)).toBech32());
                default -> Optional.empty();
            };
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** bitcoind's InferDescriptor with no keys or scripts known: pk(), multi(), rawtr(), addr() or raw(). */
    static String descriptor(byte[] script, OutputType.Solved solved, Optional<String> address) {
        switch (solved.type()) {
            case PUBKEY:
                return "pk(" + HEX.formatHex(solved.solutions().get(0)) + ")";
            case MULTISIG: {
                List<byte[]> sol = solved.solutions();
                String keys = sol.subList(1, sol.size() - 1).stream().map(HEX::formatHex)
                        .collect(Collectors.joining(","));
                return "multi(" + (sol.get(0)[0] & 0xff) + "," + keys + ")";
            }
            case WITNESS_V1_TAPROOT:
                if (validXOnly(solved.solutions().get(0))) {
                    return "rawtr(" + HEX.formatHex(solved.solutions().get(0)) + ")";
                }
                break;
            default:
                break;
        }
        return address.map(a -> "addr(" + a + ")").orElseGet(() -> "raw(" + HEX.formatHex(script) + ")");
    }

    /** Whether 32 bytes are the x coordinate of a point on secp256k1 (BIP340's lift_x). */
    private static boolean validXOnly(byte[] x) {
        try {
            byte[] compressed = new byte[33];
            compressed[0] = 0x02;
            System.arraycopy(x, 0, compressed, 1, 32);
            return ECKey.ecDomainParameters().getCurve().decodePoint(compressed).isValid();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
