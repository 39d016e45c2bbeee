package org.sidechains.bmm.regtest.cli;

import java.nio.file.Path;
import java.util.Optional;
import org.sidechains.bmm.bitcoinj.rpc.RpcAuth;
import org.sidechains.bmm.bitcoinj.rpc.RpcConfig;
import org.sidechains.bmm.bitcoinj.rpc.RpcMainchain;
import org.sidechains.bmm.regtest.bitcoind.BitcoindLauncher;
import org.sidechains.bmm.regtest.bitcoind.BitcoindLocator;
import org.sidechains.bmm.regtest.bitcoind.RunningBitcoind;
import org.sidechains.bmm.regtest.embedded.EmbeddedRegtestChain;
import org.sidechains.bmm.regtest.embedded.rpc.EmbeddedRegtestNode;
import org.sidechains.bmm.regtest.mainchain.OpenMainchain;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Which mainchain a command works against: a running bitcoind ({@code --rpc-url} ...), a bitcoind
 * this command starts ({@code --bitcoind PATH}), or by default the embedded regtest chain, which is
 * also served over JSON-RPC on loopback so other processes can use it.
 */
final class MainchainOptions {
    @Mixin
    RpcOptions rpc;

    @Option(names = BitcoindLocator.OPTION, paramLabel = "PATH",
            description = "start this bitcoind (regtest, 127.0.0.1, free ports, a temporary datadir) and use it;"
                    + " it is stopped on exit")
    Path bitcoind;

    @Option(names = "--embedded-rpc-port", paramLabel = "PORT", defaultValue = "0",
            description = "port for the embedded chain's JSON-RPC on 127.0.0.1 (default: a free one)")
    int embeddedPort;

    /** A hint for a failure to open: the embedded chain's port could not be bound. */
    static String bindHint(Throwable e) {
        return Failures.isBind(e) ? " (give another --embedded-rpc-port, or 0 for a free one)" : "";
    }

    /** Opens what the options say; the caller closes it (which stops a started bitcoind). */
    OpenMainchain open() throws RpcOptions.UsageException {
        if (embeddedPort < 0 || embeddedPort > 65535) {
            throw new RpcOptions.UsageException("--embedded-rpc-port must be 0..65535 (0 = a free one), got " + embeddedPort);
        }
        Optional<RpcConfig> remote = rpc.config();
        if (remote.isPresent() && bitcoind != null) {
            throw new RpcOptions.UsageException("give either --rpc-url (a running bitcoind) or --bitcoind PATH"
                    + " (one to start), not both");
        }
        if (remote.isPresent()) {
            return OpenMainchain.of(RpcMainchain.connect(remote.get()), Optional.of(remote.get().url()),
                    "bitcoind at " + remote.get().url());
        }
        if (bitcoind != null) {
            BitcoindLocator.Located located = BitcoindLocator.system().locate(bitcoind.toString());
            RunningBitcoind node = BitcoindLauncher.of(located).start();
            try {
                RpcConfig cfg = RpcConfig.of(node.rpcUrl(), RpcAuth.userPassword(node.rpcUser(), node.rpcPassword()));
                return OpenMainchain.of(RpcMainchain.connect(cfg), Optional.of(node.rpcUrl()),
                        "bitcoind " + located.path() + " (pid " + node.pid() + ", datadir " + node.datadir() + ")", node);
            } catch (RuntimeException e) {
                node.close();
                throw e;
            }
        }
        EmbeddedRegtestChain chain = EmbeddedRegtestChain.create();
        String password = java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(16));
        EmbeddedRegtestNode node = EmbeddedRegtestNode.start(chain,
                RpcAuth.userPassword("bmm", password), embeddedPort);
        return OpenMainchain.of(chain, Optional.of(node.url()),
                "embedded regtest chain (JSON-RPC at " + node.url() + ", user bmm, password " + password + ")", node);
    }
}
