package dev.tamp.ide.lsp;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;

/**
 * A client talking to the server over the real protocol: JSON-RPC messages through in-memory pipes, the server on
 * its own thread exactly as {@code tamp lsp} runs it.
 */
final class LspHarness implements AutoCloseable {
    final LanguageServer server;
    final BlockingQueue<PublishDiagnosticsParams> diagnostics = new LinkedBlockingQueue<>();
    private final Thread serverThread;
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();

    LspHarness(LayerCatalog layers) throws Exception {
        Pipe toServer = Pipe.open();
        Pipe toClient = Pipe.open();
        serverThread = new Thread(() -> {
            try {
                exitCode.complete(TampLsp.serve(Channels.newInputStream(toServer.source()),
                        Channels.newOutputStream(toClient.sink()), layers));
            } catch (Throwable e) {
                exitCode.completeExceptionally(e);
            }
        }, "tamp-lsp-under-test");
        serverThread.setDaemon(true);
        serverThread.start();
        var launcher = LSPLauncher.createClientLauncher(new Client(), Channels.newInputStream(toClient.source()),
                Channels.newOutputStream(toServer.sink()));
        launcher.startListening();
        server = launcher.getRemoteProxy();
        InitializeParams init = new InitializeParams();
        init.setCapabilities(new ClientCapabilities());
        server.initialize(init).get(30, TimeUnit.SECONDS);
        server.initialized(new InitializedParams());
    }

    static String uri(Path file) {
        return file.toAbsolutePath().toUri().toString();
    }

    /** Opens a document and returns the diagnostics the server publishes for it. */
    PublishDiagnosticsParams open(Path file, String text) throws InterruptedException {
        String languageId = file.toString().endsWith(".target") ? "tamp-target" : "tamp-recipe";
        server.getTextDocumentService().didOpen(
                new DidOpenTextDocumentParams(new TextDocumentItem(uri(file), languageId, 1, text)));
        while (true) {
            PublishDiagnosticsParams p = diagnostics.poll(30, TimeUnit.SECONDS);
            if (p == null) {
                throw new AssertionError("no diagnostics published for " + file);
            }
            if (p.getUri().equals(uri(file))) {
                return p;
            }
        }
    }

    List<CompletionItem> complete(Path file, int line, int character) throws Exception {
        var result = server.getTextDocumentService()
                .completion(new CompletionParams(new TextDocumentIdentifier(uri(file)), new Position(line, character)))
                .get(30, TimeUnit.SECONDS);
        return result.isLeft() ? result.getLeft() : result.getRight().getItems();
    }

    static List<String> labels(List<CompletionItem> items) {
        return items.stream().map(CompletionItem::getLabel).toList();
    }

    /** Shuts the server down as a client does and returns its exit code. */
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
        serverThread.join(TimeUnit.SECONDS.toMillis(30));
    }

    private final class Client implements LanguageClient {
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
