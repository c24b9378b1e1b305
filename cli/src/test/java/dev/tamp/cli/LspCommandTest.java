package dev.tamp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tamp.ide.lsp.TampLsp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tamp lsp} reports what {@code tamp check} reports: for broken recipes and targets, the server (driven over
 * the protocol with the catalog {@code tamp lsp} uses) publishes the same codes, messages and positions as the
 * command prints.
 */
class LspCommandTest {
    @TempDir
    Path temp;

    private static final Pattern HEADLINE = Pattern.compile("^(.+):(\\d+):(\\d+): (error|warning)\\[(E\\d+|W\\d+)\\]: (.*)$");

    static final List<String> BROKEN = List.of(
            "recipe typo {\n  model \"m.onnx\"\n  prune fc1 { sparsty 50 % }\n}\n",
            "recipe units {\n  model \"m.onnx\"\n  prune fc1 { sparsity 50 KB }\n  quantize * { bits 12 }\n}\n",
            "recipe syntax {\n  model \"m.onnx\n  prune fc1 { sparsity @ }\n  seed\n",
            "recipe missing {\n  model \"nowhere.onnx\"\n  target \"nowhere.target\"\n  emit java { class \"class\" }\n}\n",
            "target t {\n  cores 0\n  simd 12 MHz\n}\n");

    @Test
    void publishesTheSameDiagnosticsAsCheck() throws Exception {
        Files.writeString(temp.resolve("m.onnx"), "not read by check");
        try (Client client = new Client()) {
            for (int i = 0; i < BROKEN.size(); i++) {
                String text = BROKEN.get(i);
                Path file = temp.resolve("broken" + i + (text.startsWith("target") ? ".target" : ".recipe"));
                Files.writeString(file, text);

                StringWriter out = new StringWriter();
                StringWriter err = new StringWriter();
                int code = Tamp.run(new PrintWriter(out), new PrintWriter(err), "check", file.toString());
                assertThat(code).isEqualTo(ExitCode.INPUT_ERROR);
                List<String> expected = new ArrayList<>();
                for (String line : err.toString().lines().toList()) {
                    Matcher m = HEADLINE.matcher(line);
                    if (m.matches() && m.group(1).equals(file.toString())) {
                        expected.add((Integer.parseInt(m.group(2)) - 1) + ":" + (Integer.parseInt(m.group(3)) - 1) + " "
                                + m.group(4) + " " + m.group(5) + " " + m.group(6));
                    }
                }
                assertThat(expected).as(err.toString()).isNotEmpty();

                List<String> published = new ArrayList<>();
                for (var d : client.open(file, text).getDiagnostics()) {
                    published.add(d.getRange().getStart().getLine() + ":" + d.getRange().getStart().getCharacter() + " "
                            + d.getSeverity().name().toLowerCase(java.util.Locale.ROOT) + " " + d.getCode().getLeft() + " "
                            + d.getMessage().lines().findFirst().orElse(""));
                }
                assertThat(published).as(text).containsExactlyElementsOf(expected);
            }
            assertThat(client.shutdown()).isZero();
        }
    }

    /** A minimal LSP client over in-memory pipes, with the server on its own thread as `tamp lsp` runs it. */
    private static final class Client implements LanguageClient, AutoCloseable {
        final BlockingQueue<PublishDiagnosticsParams> diagnostics = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
        final LanguageServer server;

        Client() throws Exception {
            Pipe toServer = Pipe.open();
            Pipe toClient = Pipe.open();
            Thread thread = new Thread(() -> {
                try {
                    exitCode.complete(TampLsp.serve(Channels.newInputStream(toServer.source()),
                            Channels.newOutputStream(toClient.sink()), LspCommand.layerCatalog()));
                } catch (Throwable e) {
                    exitCode.completeExceptionally(e);
                }
            });
            thread.setDaemon(true);
            thread.start();
            var launcher = LSPLauncher.createClientLauncher(this, Channels.newInputStream(toClient.source()),
                    Channels.newOutputStream(toServer.sink()));
            launcher.startListening();
            server = launcher.getRemoteProxy();
            server.initialize(new InitializeParams()).get(30, TimeUnit.SECONDS);
            server.initialized(new InitializedParams());
        }

        PublishDiagnosticsParams open(Path file, String text) throws InterruptedException {
            String uri = file.toAbsolutePath().toUri().toString();
            server.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "tamp-recipe", 1, text)));
            while (true) {
                PublishDiagnosticsParams p = diagnostics.poll(30, TimeUnit.SECONDS);
                assertThat(p).as("diagnostics for " + file).isNotNull();
                if (p.getUri().equals(uri)) {
                    return p;
                }
            }
        }

        int shutdown() throws Exception {
            server.shutdown().get(30, TimeUnit.SECONDS);
            server.exit();
            return exitCode.get(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            if (!exitCode.isDone()) {
                shutdown();
            }
        }

        @Override
        public void telemetryEvent(Object object) {}

        @Override
        public void publishDiagnostics(PublishDiagnosticsParams params) {
            diagnostics.add(params);
        }

        @Override
        public void showMessage(MessageParams params) {}

        @Override
        public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams params) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void logMessage(MessageParams params) {}
    }
}
