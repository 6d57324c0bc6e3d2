package dev.synctalk.gpu.cuda.conv;

import static jcuda.jcudnn.JCudnn.cudnnAddTensor;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionBackwardBias;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionBackwardData;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionBackwardFilter;
import static jcuda.jcudnn.JCudnn.cudnnConvolutionForward;
import static jcuda.jcudnn.JCudnn.cudnnCreate;
import static jcuda.jcudnn.JCudnn.cudnnCreateConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnCreateTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroy;
import static jcuda.jcudnn.JCudnn.cudnnDestroyConvolutionDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyFilterDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnDestroyTensorDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnFindConvolutionBackwardDataAlgorithm;
import static jcuda.jcudnn.JCudnn.cudnnFindConvolutionBackwardFilterAlgorithm;
import static jcuda.jcudnn.JCudnn.cudnnFindConvolutionForwardAlgorithm;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnGetConvolutionForwardWorkspaceSize;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolution2dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetConvolutionMathType;
import static jcuda.jcudnn.JCudnn.cudnnSetFilter4dDescriptor;
import static jcuda.jcudnn.JCudnn.cudnnSetTensor4dDescriptor;
import static jcuda.jcudnn.cudnnConvolutionBwdDataAlgo.CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
import static jcuda.jcudnn.cudnnConvolutionBwdFilterAlgo.CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1;
import static jcuda.jcudnn.cudnnConvolutionFwdAlgo.CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
import static jcuda.jcudnn.cudnnConvolutionMode.CUDNN_CROSS_CORRELATION;
import static jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT;
import static jcuda.jcudnn.cudnnDeterminism.CUDNN_DETERMINISTIC;
import static jcuda.jcudnn.cudnnMathType.CUDNN_FMA_MATH;
import static jcuda.jcudnn.cudnnMathType.CUDNN_TENSOR_OP_MATH;
import static jcuda.jcudnn.cudnnStatus.CUDNN_STATUS_SUCCESS;
import static jcuda.jcudnn.cudnnTensorFormat.CUDNN_TENSOR_NCHW;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.synctalk.gpu.conv.Conv2d;
import dev.synctalk.gpu.conv.ConvBuffer;
import dev.synctalk.gpu.conv.ConvOps;
import dev.synctalk.gpu.cuda.CudaDevice;
import dev.synctalk.gpu.cuda.CudnnLoader;
import dev.synctalk.gpu.cuda.DeviceBuffer;
import dev.synctalk.gpu.cuda.KernelArgs;
import dev.synctalk.gpu.cuda.KernelCatalog;
import dev.synctalk.gpu.cuda.KernelRef;
import dev.synctalk.gpu.cuda.LaunchShape;
import dev.synctalk.gpu.cuda.optim.AdamWScalars;
import dev.synctalk.gpu.cuda.optim.CudaAdamW;
import dev.synctalk.gpu.optim.AdamWConfig;
import jcuda.Pointer;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgo;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgo;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgo;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnTensorDescriptor;

/**
 * {@link ConvOps} on one CUDA device: the convolutions on cuDNN (forward, backward data, backward filter
 * and bias), everything else in convnet.cu, AdamW in adamw.cu; buffers are device memory from the
 * device's pool. The CPU twin is {@link dev.synctalk.gpu.conv.CpuConvOps}; {@link ConvOpsParityCheck}
 * compares the two op by op.
 *
 * <p>fp32 with FMA math only (no TF32: these networks are trained and compared with the CPU). For each
 * convolution shape (conv, batch, height, width) a plan holds the descriptors and the algorithms cudnnFind
 * measured fastest among the non-tensor-op ones, and for the two backward passes among the deterministic
 * ones (so a GPU run repeats itself); the gradient passes accumulate (beta = 1) as the interface asks.
 *
 * <p>Threading: one thread drives it, like {@link CudaDevice}.
 */
public final class CudnnConvOps implements ConvOps {

    public static final KernelRef ACCUMULATE = new KernelRef("convnet", "convnet_accumulate");
    public static final KernelRef ADD = new KernelRef("convnet", "convnet_add");
    public static final KernelRef BATCH_NORM_FORWARD = new KernelRef("convnet", "convnet_batch_norm_forward");
    public static final KernelRef BATCH_NORM_BACKWARD_INPUT = new KernelRef("convnet", "convnet_batch_norm_backward_input");
    public static final KernelRef BATCH_NORM_BACKWARD_PARAMS = new KernelRef("convnet", "convnet_batch_norm_backward_params");
    public static final KernelRef ADD_PER_CHANNEL_FORWARD = new KernelRef("convnet", "convnet_add_per_channel_forward");
    public static final KernelRef ADD_PER_CHANNEL_BACKWARD = new KernelRef("convnet", "convnet_add_per_channel_backward");
    public static final KernelRef RELU_FORWARD = new KernelRef("convnet", "convnet_relu_forward");
    public static final KernelRef RELU_BACKWARD = new KernelRef("convnet", "convnet_relu_backward");
    public static final KernelRef SIGMOID_FORWARD = new KernelRef("convnet", "convnet_sigmoid_forward");
    public static final KernelRef SIGMOID_BACKWARD = new KernelRef("convnet", "convnet_sigmoid_backward");
    public static final KernelRef UPSAMPLE_FORWARD = new KernelRef("convnet", "convnet_upsample2x_forward");
    public static final KernelRef UPSAMPLE_BACKWARD = new KernelRef("convnet", "convnet_upsample2x_backward");
    /** Every convnet.cu kernel (listed in {@link KernelCatalog#ALL}). */
    public static final List<KernelRef> KERNELS = List.of(ACCUMULATE, ADD, BATCH_NORM_FORWARD, BATCH_NORM_BACKWARD_INPUT,
            BATCH_NORM_BACKWARD_PARAMS, ADD_PER_CHANNEL_FORWARD, ADD_PER_CHANNEL_BACKWARD, RELU_FORWARD, RELU_BACKWARD,
            SIGMOID_FORWARD, SIGMOID_BACKWARD, UPSAMPLE_FORWARD, UPSAMPLE_BACKWARD);

    /** Device memory as a {@link ConvBuffer}. */
    static final class Device implements ConvBuffer {
        final DeviceBuffer buffer;
        final long floats;

        Device(DeviceBuffer buffer, long floats) {
            this.buffer = buffer;
            this.floats = floats;
        }

        @Override
        public long floats() {
            return floats;
        }

        @Override
        public void close() {
            buffer.close();
        }
    }

    /** Descriptors and algorithms of one convolution shape. */
    private record Plan(cudnnTensorDescriptor x, cudnnTensorDescriptor y, cudnnTensorDescriptor bias,
                        cudnnFilterDescriptor filter, cudnnConvolutionDescriptor convolution, int forward,
                        int backwardData, int backwardFilter) {
    }

    private record PlanKey(Conv2d conv, int batch, int height, int width) {
    }

    private final CudaDevice device;
    private final cudnnHandle handle = new cudnnHandle();
    private final Map<PlanKey, Plan> plans = new HashMap<>();
    private DeviceBuffer workspace;
    private final Pointer one = Pointer.to(new float[] {1f});
    private final Pointer zero = Pointer.to(new float[] {0f});

    public CudnnConvOps(CudaDevice device) {
        CudnnLoader.load();
        this.device = device;
        device.synchronize(); // makes the device's context current for cuDNN's runtime calls
        cudnnCreate(handle);
        workspace = device.allocate(1);
    }

    @Override
    public String name() {
        return "cudnn(" + device.name() + ")";
    }

    public CudaDevice device() {
        return device;
    }

    private static DeviceBuffer d(ConvBuffer b) {
        if (b == null) {
            return null;
        }
        if (!(b instanceof Device dev)) {
            throw new IllegalArgumentException("buffer " + b + " does not belong to the cuDNN ops");
        }
        return dev.buffer;
    }

    // ---- memory -------------------------------------------------------------------------------------

    @Override
    public ConvBuffer zeros(long floats) {
        DeviceBuffer b = device.allocateFloats(Math.max(1, floats));
        device.fill(b, 0f);
        return new Device(b, floats);
    }

    @Override
    public ConvBuffer upload(float[] values) {
        return new Device(device.upload(values), values.length);
    }

    @Override
    public void upload(float[] values, ConvBuffer target) {
        device.copyToDevice(values, d(target));
    }

    @Override
    public void download(ConvBuffer source, float[] target) {
        device.copyToHost(d(source), target);
    }

    @Override
    public void zero(ConvBuffer buffer) {
        device.fill(d(buffer), 0f);
    }

    private LaunchShape elementwise(long n) {
        return KernelCatalog.elementwise(device, Math.max(1, n));
    }

    @Override
    public void accumulate(ConvBuffer x, ConvBuffer y, long n) {
        device.kernel(ACCUMULATE).launch(elementwise(n), KernelArgs.create().i64(n).buffer(d(x)).buffer(d(y)));
    }

    // ---- convolution --------------------------------------------------------------------------------

    private Plan plan(Conv2d conv, int batch, int height, int width) {
        return plans.computeIfAbsent(new PlanKey(conv, batch, height, width), k -> createPlan(conv, batch, height, width));
    }

    private Plan createPlan(Conv2d conv, int batch, int height, int width) {
        cudnnTensorDescriptor x = new cudnnTensorDescriptor();
        cudnnTensorDescriptor y = new cudnnTensorDescriptor();
        cudnnTensorDescriptor bias = new cudnnTensorDescriptor();
        cudnnFilterDescriptor filter = new cudnnFilterDescriptor();
        cudnnConvolutionDescriptor convolution = new cudnnConvolutionDescriptor();
        cudnnCreateTensorDescriptor(x);
        cudnnCreateTensorDescriptor(y);
        cudnnCreateTensorDescriptor(bias);
        cudnnCreateFilterDescriptor(filter);
        cudnnCreateConvolutionDescriptor(convolution);
        cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, batch, conv.inChannels(), height, width);
        cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, batch, conv.outChannels(),
                conv.outputHeight(height), conv.outputWidth(width));
        cudnnSetTensor4dDescriptor(bias, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, conv.outChannels(), 1, 1);
        cudnnSetFilter4dDescriptor(filter, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, conv.outChannels(), conv.inChannels(),
                conv.kernelH(), conv.kernelW());
        cudnnSetConvolution2dDescriptor(convolution, conv.padH(), conv.padW(), conv.strideH(), conv.strideW(), 1, 1,
                CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT);
        cudnnSetConvolutionMathType(convolution, CUDNN_FMA_MATH);
        int[] returned = new int[1];

        cudnnConvolutionFwdAlgoPerf[] fwd = new cudnnConvolutionFwdAlgoPerf[8];
        for (int k = 0; k < fwd.length; k++) {
            fwd[k] = new cudnnConvolutionFwdAlgoPerf();
        }
        cudnnFindConvolutionForwardAlgorithm(handle, x, filter, convolution, y, fwd.length, returned, fwd);
        int forward = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
        for (int k = 0; k < returned[0]; k++) {
            if (fwd[k].status == CUDNN_STATUS_SUCCESS && fwd[k].mathType != CUDNN_TENSOR_OP_MATH) {
                forward = fwd[k].algo;
                break;
            }
        }

        cudnnConvolutionBwdDataAlgoPerf[] data = new cudnnConvolutionBwdDataAlgoPerf[8];
        for (int k = 0; k < data.length; k++) {
            data[k] = new cudnnConvolutionBwdDataAlgoPerf();
        }
        cudnnFindConvolutionBackwardDataAlgorithm(handle, filter, y, convolution, x, data.length, returned, data);
        int backwardData = CUDNN_CONVOLUTION_BWD_DATA_ALGO_1;
        for (int k = 0; k < returned[0]; k++) {
            if (data[k].status == CUDNN_STATUS_SUCCESS && data[k].mathType != CUDNN_TENSOR_OP_MATH
                    && data[k].determinism == CUDNN_DETERMINISTIC) {
                backwardData = data[k].algo;
                break;
            }
        }

        cudnnConvolutionBwdFilterAlgoPerf[] filt = new cudnnConvolutionBwdFilterAlgoPerf[8];
        for (int k = 0; k < filt.length; k++) {
            filt[k] = new cudnnConvolutionBwdFilterAlgoPerf();
        }
        cudnnFindConvolutionBackwardFilterAlgorithm(handle, x, y, convolution, filter, filt.length, returned, filt);
        int backwardFilter = CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1;
        for (int k = 0; k < returned[0]; k++) {
            if (filt[k].status == CUDNN_STATUS_SUCCESS && filt[k].mathType != CUDNN_TENSOR_OP_MATH
                    && filt[k].determinism == CUDNN_DETERMINISTIC) {
                backwardFilter = filt[k].algo;
                break;
            }
        }

        long most = 1;
        long[] bytes = new long[1];
        cudnnGetConvolutionForwardWorkspaceSize(handle, x, filter, convolution, y, forward, bytes);
        most = Math.max(most, bytes[0]);
        cudnnGetConvolutionBackwardDataWorkspaceSize(handle, filter, y, convolution, x, backwardData, bytes);
        most = Math.max(most, bytes[0]);
        cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, x, y, convolution, filter, backwardFilter, bytes);
        most = Math.max(most, bytes[0]);
        if (most > workspace.sizeBytes()) {
            workspace.close();
            workspace = device.allocate(most);
        }
        return new Plan(x, y, bias, filter, convolution, forward, backwardData, backwardFilter);
    }

    /** The algorithms chosen for one shape (forward / backward data / backward filter), for logs and checks. */
    public String algorithms(Conv2d conv, int batch, int height, int width) {
        Plan p = plan(conv, batch, height, width);
        return cudnnConvolutionFwdAlgo.stringFor(p.forward()) + " / " + cudnnConvolutionBwdDataAlgo.stringFor(p.backwardData())
                + " / " + cudnnConvolutionBwdFilterAlgo.stringFor(p.backwardFilter());
    }

    private IllegalStateException failure(String pass, Conv2d conv, int batch, int height, int width, RuntimeException e) {
        return new IllegalStateException("cuDNN " + pass + " of " + conv + " at batch " + batch + ", " + height + "x"
                + width + " failed: " + e.getMessage(), e);
    }

    @Override
    public void conv2dForward(Conv2d conv, ConvBuffer x, ConvBuffer weight, ConvBuffer bias, ConvBuffer y, int batch,
                              int height, int width) {
        Plan p = plan(conv, batch, height, width);
        try {
            cudnnConvolutionForward(handle, one, p.x(), d(x).pointer(), p.filter(), d(weight).pointer(), p.convolution(),
                    p.forward(), workspace.pointer(), workspace.sizeBytes(), zero, p.y(), d(y).pointer());
            if (bias != null) {
                cudnnAddTensor(handle, one, p.bias(), d(bias).pointer(), one, p.y(), d(y).pointer());
            }
        } catch (RuntimeException e) {
            throw failure("forward", conv, batch, height, width, e);
        }
    }

    @Override
    public void conv2dBackwardData(Conv2d conv, ConvBuffer gradY, ConvBuffer weight, ConvBuffer gradX, int batch,
                                   int height, int width) {
        Plan p = plan(conv, batch, height, width);
        try {
            cudnnConvolutionBackwardData(handle, one, p.filter(), d(weight).pointer(), p.y(), d(gradY).pointer(),
                    p.convolution(), p.backwardData(), workspace.pointer(), workspace.sizeBytes(), one, p.x(),
                    d(gradX).pointer());
        } catch (RuntimeException e) {
            throw failure("backward data", conv, batch, height, width, e);
        }
    }

    @Override
    public void conv2dBackwardFilter(Conv2d conv, ConvBuffer x, ConvBuffer gradY, ConvBuffer gradWeight,
                                     ConvBuffer gradBias, int batch, int height, int width) {
        Plan p = plan(conv, batch, height, width);
        try {
            cudnnConvolutionBackwardFilter(handle, one, p.x(), d(x).pointer(), p.y(), d(gradY).pointer(), p.convolution(),
                    p.backwardFilter(), workspace.pointer(), workspace.sizeBytes(), one, p.filter(),
                    d(gradWeight).pointer());
            if (gradBias != null) {
                cudnnConvolutionBackwardBias(handle, one, p.y(), d(gradY).pointer(), one, p.bias(), d(gradBias).pointer());
            }
        } catch (RuntimeException e) {
            throw failure("backward filter", conv, batch, height, width, e);
        }
    }

    // ---- batch norm ---------------------------------------------------------------------------------

    @Override
    public void batchNormForward(ConvBuffer x, ConvBuffer gamma, ConvBuffer beta, ConvBuffer mean, ConvBuffer var,
                                 float eps, ConvBuffer y, int batch, int channels, int plane) {
        long n = (long) batch * channels * plane;
        device.kernel(BATCH_NORM_FORWARD).launch(elementwise(n), KernelArgs.create().i64(n).i32(channels).i32(plane)
                .buffer(d(x)).buffer(d(gamma)).buffer(d(beta)).buffer(d(mean)).buffer(d(var)).f32(eps).buffer(d(y)));
    }

    @Override
    public void batchNormBackward(ConvBuffer x, ConvBuffer gamma, ConvBuffer mean, ConvBuffer var, float eps,
                                  ConvBuffer gradY, ConvBuffer gradX, ConvBuffer gradGamma, ConvBuffer gradBeta,
                                  int batch, int channels, int plane) {
        long n = (long) batch * channels * plane;
        if (gradX != null) {
            device.kernel(BATCH_NORM_BACKWARD_INPUT).launch(elementwise(n), KernelArgs.create().i64(n).i32(channels)
                    .i32(plane).buffer(d(gamma)).buffer(d(var)).f32(eps).buffer(d(gradY)).buffer(d(gradX)));
        }
        if (gradGamma != null || gradBeta != null) {
            device.kernel(BATCH_NORM_BACKWARD_PARAMS).launch(
                    new LaunchShape(channels, 1, 1, KernelCatalog.ELEMENTWISE_BLOCK, 1, 1, 0),
                    KernelArgs.create().i32(batch).i32(channels).i32(plane).buffer(d(x)).buffer(d(mean)).buffer(d(var))
                            .f32(eps).buffer(d(gradY)).optionalBuffer(d(gradGamma)).optionalBuffer(d(gradBeta)));
        }
    }

    // ---- element-wise -------------------------------------------------------------------------------

    @Override
    public void add(ConvBuffer a, ConvBuffer b, ConvBuffer y, long n) {
        device.kernel(ADD).launch(elementwise(n), KernelArgs.create().i64(n).buffer(d(a)).buffer(d(b)).buffer(d(y)));
    }

    @Override
    public void addPerChannelForward(ConvBuffer x, ConvBuffer v, ConvBuffer y, int batch, int channels, int plane) {
        long n = (long) batch * channels * plane;
        device.kernel(ADD_PER_CHANNEL_FORWARD).launch(elementwise(n),
                KernelArgs.create().i64(n).i32(plane).buffer(d(x)).buffer(d(v)).buffer(d(y)));
    }

    @Override
    public void addPerChannelBackward(ConvBuffer gradY, ConvBuffer gradV, int batch, int channels, int plane) {
        long items = (long) batch * channels;
        device.kernel(ADD_PER_CHANNEL_BACKWARD).launch(elementwise(items),
                KernelArgs.create().i64(items).i32(plane).buffer(d(gradY)).buffer(d(gradV)));
    }

    @Override
    public void reluForward(ConvBuffer x, ConvBuffer y, long n) {
        device.kernel(RELU_FORWARD).launch(elementwise(n), KernelArgs.create().i64(n).buffer(d(x)).buffer(d(y)));
    }

    @Override
    public void reluBackward(ConvBuffer y, ConvBuffer gradY, ConvBuffer gradX, long n) {
        device.kernel(RELU_BACKWARD).launch(elementwise(n),
                KernelArgs.create().i64(n).buffer(d(y)).buffer(d(gradY)).buffer(d(gradX)));
    }

    @Override
    public void sigmoidForward(ConvBuffer x, ConvBuffer y, long n) {
        device.kernel(SIGMOID_FORWARD).launch(elementwise(n), KernelArgs.create().i64(n).buffer(d(x)).buffer(d(y)));
    }

    @Override
    public void sigmoidBackward(ConvBuffer y, ConvBuffer gradY, ConvBuffer gradX, long n) {
        device.kernel(SIGMOID_BACKWARD).launch(elementwise(n),
                KernelArgs.create().i64(n).buffer(d(y)).buffer(d(gradY)).buffer(d(gradX)));
    }

    @Override
    public void upsample2xForward(ConvBuffer x, ConvBuffer y, int planes, int height, int width) {
        long n = 4L * planes * height * width;
        device.kernel(UPSAMPLE_FORWARD).launch(elementwise(n),
                KernelArgs.create().i64(n).i32(height).i32(width).buffer(d(x)).buffer(d(y)));
    }

    @Override
    public void upsample2xBackward(ConvBuffer gradY, ConvBuffer gradX, int planes, int height, int width) {
        long n = (long) planes * height * width;
        device.kernel(UPSAMPLE_BACKWARD).launch(elementwise(n),
                KernelArgs.create().i64(n).i32(height).i32(width).buffer(d(gradY)).buffer(d(gradX)));
    }

    // ---- optimisation --------------------------------------------------------------------------------

    @Override
    public void adamWStep(AdamWConfig config, double learningRate, long step, ConvBuffer params, ConvBuffer grads,
                          ConvBuffer expAvg, ConvBuffer expAvgSq, long n) {
        CudaAdamW.step(device, n, d(params), d(grads), d(expAvg), d(expAvgSq), AdamWScalars.of(learningRate,
                config.beta1(), config.beta2(), config.eps(), config.weightDecay(), step));
    }

    @Override
    public void close() {
        for (Plan p : plans.values()) {
            cudnnDestroyTensorDescriptor(p.x());
            cudnnDestroyTensorDescriptor(p.y());
            cudnnDestroyTensorDescriptor(p.bias());
            cudnnDestroyFilterDescriptor(p.filter());
            cudnnDestroyConvolutionDescriptor(p.convolution());
        }
        plans.clear();
        cudnnDestroy(handle);
        workspace.close();
    }
}
