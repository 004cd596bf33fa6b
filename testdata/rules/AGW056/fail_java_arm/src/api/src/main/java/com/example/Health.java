package com.example;

import com.microsoft.azure.functions.*;
import com.microsoft.azure.functions.annotation.*;

public class Health {
    // No authLevel: the annotation default is FUNCTION.
    @FunctionName("health")
    public HttpResponseMessage run(
            @HttpTrigger(name = "req", methods = {HttpMethod.GET}) HttpRequestMessage<String> request) {
        return request.createResponseBuilder(HttpStatus.OK).body("ok").build();
    }
}
