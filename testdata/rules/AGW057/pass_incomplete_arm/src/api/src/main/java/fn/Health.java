package fn;

import com.microsoft.azure.functions.annotation.*;

public class Health {
    // Java is not read yet: this route is unknown to agwlint, so AGW057 stays silent.
    @FunctionName("healthz2")
    public String run(@HttpTrigger(name = "req", route = "health", authLevel = AuthorizationLevel.ANONYMOUS) String req) {
        return "ok";
    }
}
