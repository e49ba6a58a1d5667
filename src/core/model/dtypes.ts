// Which ONNX file of a model folder holds which weight precision. The names follow the
// transformers.js convention (`onnx/model{suffix}.onnx`), so folders exported for transformers.js and
// hub repositories resolve the same way.

export const MODEL_DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;
export type ModelDtype = (typeof MODEL_DTYPES)[number];

const SUFFIX: Record<ModelDtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** The order tried when no dtype is requested: full precision first, because the reference
 *  values and the paper's features are fp32; then the smaller variants. */
export const DTYPE_PREFERENCE: readonly ModelDtype[] = MODEL_DTYPES;

export function isModelDtype(s: string): s is ModelDtype {
  return (MODEL_DTYPES as readonly string[]).includes(s);
}

export function onnxFileName(dtype: ModelDtype, baseName = 'model'): string {
  return `${baseName}${SUFFIX[dtype]}.onnx`;
}

/** The dtype a file named `model{suffix}.onnx` holds, or undefined for other names. */
export function dtypeOfFileName(fileName: string, baseName = 'model'): ModelDtype | undefined {
  return MODEL_DTYPES.find((d) => onnxFileName(d, baseName) === fileName);
}
