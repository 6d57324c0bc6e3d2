package dev.synctalk.service.testing;

import dev.synctalk.service.http.ServiceConfig;
import dev.synctalk.service.http.StreamService;
import dev.synctalk.service.session.ServedModel;
import dev.synctalk.service.session.ServiceLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A service in a child JVM, to be killed: args RUNS_DIR HEAD_CKPT DATASET; prints "serving URI". */
public final class ServiceProcess {
    private ServiceProcess() {
    }

    public static void main(String[] args) throws Exception {
        ServedModel model = ServedModel.open("fixture", Path.of(args[1]), Path.of(args[2]), false, null, "val", "cpu");
        StreamService service = StreamService.start(new ServiceConfig("127.0.0.1", 0, Path.of(args[0]), null,
                ServiceLimits.defaults(), List.of(model), null, Map.of("render.threads", "2")));
        System.out.println("serving " + service.uri());
        System.out.flush();
        service.awaitTermination();
    }
}
