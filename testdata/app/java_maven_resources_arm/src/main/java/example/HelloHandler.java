package example;

import com.microsoft.azure.functions.*;
import com.microsoft.azure.functions.annotation.*;

public class HelloHandler {
    @FunctionName("hello")
    public HttpResponseMessage execute(
            @HttpTrigger(name = "request", methods = {HttpMethod.GET, HttpMethod.POST}, authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<String> request,
            ExecutionContext context) {
        return request.createResponseBuilder(HttpStatus.OK).build();
    }
}
