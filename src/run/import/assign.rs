//! Putting read tensors into a model of the configured shape: every tensor
//! the model has must be there with its shape, nothing else may be, and
//! every value must be a usable weight.

use std::path::Path;

use super::error::ImportError;
use super::tensor::{ReadTensor, TensorData};
use crate::nn::Model;
use crate::nn::Slot;

/// What the import did beyond copying F32 tensors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assigned {
    /// Tensors read as F64 and rounded to F32.
    pub converted: Vec<String>,
    /// PyTorch's batch counters (`num_batches_tracked`), which the model
    /// does not keep.
    pub ignored: Vec<String>,
}

/// Names whose scalar the model stores as shape [1] and PyTorch users may
/// equally save as a 0-d tensor.
const SCALARS: [&str; 2] = ["w", "b"];

/// Copies `tensors` into `model`'s parameters and buffers, or refuses with
/// the first problem found and leaves `model` unchanged. `source` (the file
/// or directory) labels problems that belong to no single file.
pub fn assign(
    model: &mut Model,
    tensors: &[ReadTensor],
    source: &Path,
) -> Result<Assigned, ImportError> {
    let params = model.layout().slots;
    let buffers = model.buffer_layout().slots;
    let counters = model.batches_tracked_names();
    let slots = || params.iter().chain(&buffers);
    let mut assigned = Assigned::default();
    for t in tensors {
        if counters.contains(&t.name) {
            assigned.ignored.push(t.name.clone());
        } else if !slots().any(|s| s.name == t.name) {
            let known: Vec<&str> = slots()
                .map(|s| s.name.as_str())
                .chain(counters.iter().map(String::as_str))
                .collect();
            return Err(ImportError::Unknown {
                path: t.file.clone(),
                tensor: t.name.clone(),
                known: known.join(", "),
            });
        }
    }
    let mut new_params = model.params.clone();
    let mut new_buffers = model.buffers.clone();
    for (slots, store) in [(&params, &mut new_params), (&buffers, &mut new_buffers)] {
        for slot in slots {
            fill_slot(slot, store, tensors, source, &mut assigned)?;
        }
    }
    model.params = new_params;
    model.buffers = new_buffers;
    Ok(assigned)
}

/// Fills `slot` of `store` from the tensor of the same name.
fn fill_slot(
    slot: &Slot,
    store: &mut [f32],
    tensors: &[ReadTensor],
    source: &Path,
    assigned: &mut Assigned,
) -> Result<(), ImportError> {
    let Some(t) = tensors.iter().find(|t| t.name == slot.name) else {
        return Err(ImportError::Missing {
            path: source.to_path_buf(),
            tensor: slot.name.clone(),
            shape: slot.shape.clone(),
        });
    };
    check_shape(slot, t)?;
    let values = &mut store[slot.range()];
    if copy_values(t, values)? {
        assigned.converted.push(t.name.clone());
    }
    if slot.name.ends_with(".running_var")
        && let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| **v < 0.0)
    {
        return Err(ImportError::NegativeVariance {
            path: t.file.clone(),
            tensor: t.name.clone(),
            index,
            value,
        });
    }
    Ok(())
}

fn check_shape(slot: &Slot, t: &ReadTensor) -> Result<(), ImportError> {
    let scalar = SCALARS.contains(&slot.name.as_str()) && t.shape.is_empty();
    if t.shape == slot.shape || (scalar && slot.shape == [1]) {
        return Ok(());
    }
    Err(ImportError::Shape {
        path: t.file.clone(),
        tensor: t.name.clone(),
        expected: slot.shape.clone(),
        found: t.shape.clone(),
    })
}

/// Copies `t`'s values into `out`; returns whether they were converted
/// from F64.
fn copy_values(t: &ReadTensor, out: &mut [f32]) -> Result<bool, ImportError> {
    // The readers guarantee this; a `ReadTensor` built by hand may not.
    if let Some(len) = t.data.count().filter(|&len| len != out.len()) {
        return Err(ImportError::Inconsistent {
            path: t.file.clone(),
            tensor: t.name.clone(),
            values: len,
            needed: out.len(),
        });
    }
    let non_finite = |index: usize, value: f64| ImportError::NonFinite {
        path: t.file.clone(),
        tensor: t.name.clone(),
        index,
        value,
    };
    match &t.data {
        TensorData::F32(v) => {
            if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
                return Err(non_finite(i, f64::from(*x)));
            }
            out.copy_from_slice(v);
            Ok(false)
        }
        TensorData::F64(v) => {
            for (i, (o, &x)) in out.iter_mut().zip(v).enumerate() {
                if !x.is_finite() {
                    return Err(non_finite(i, x));
                }
                *o = x as f32;
                if !o.is_finite() {
                    return Err(ImportError::OutOfRange {
                        path: t.file.clone(),
                        tensor: t.name.clone(),
                        index: i,
                        value: x,
                    });
                }
            }
            Ok(true)
        }
        TensorData::I64(_) | TensorData::Other(_) => Err(ImportError::Dtype {
            path: t.file.clone(),
            tensor: t.name.clone(),
            dtype: t.data.dtype().to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::rng::{Stream, rng_for};

    fn relu() -> Model {
        Model::relu(3, 4, 1, true, &mut rng_for(1, Stream::Init, 0))
    }

    fn quad() -> Model {
        Model::quad(3, 2, &mut rng_for(1, Stream::Init, 0))
    }

    /// Every tensor `model` has, with values that differ from its own.
    fn tensors_for(model: &Model) -> Vec<ReadTensor> {
        model
            .tensors()
            .into_iter()
            .map(|(name, shape, data)| ReadTensor {
                file: PathBuf::from(format!("{name}.npy")),
                data: TensorData::F32(data.iter().map(|v| v.abs() + 0.5).collect()),
                name,
                shape,
            })
            .collect()
    }

    fn find<'a>(tensors: &'a mut [ReadTensor], name: &str) -> &'a mut ReadTensor {
        tensors.iter_mut().find(|t| t.name == name).unwrap()
    }

    fn refusal(model: &mut Model, tensors: &[ReadTensor]) -> String {
        let before = (model.params.clone(), model.buffers.clone());
        let err = assign(model, tensors, Path::new("dir")).unwrap_err();
        assert_eq!((&model.params, &model.buffers), (&before.0, &before.1));
        err.to_string()
    }

    #[test]
    fn every_tensor_lands_in_its_slot_and_counters_are_ignored() {
        let mut model = relu();
        let mut tensors = tensors_for(&model);
        let want: Vec<Vec<f32>> = tensors
            .iter()
            .map(|t| match &t.data {
                TensorData::F32(v) => v.clone(),
                _ => unreachable!(),
            })
            .collect();
        find(&mut tensors, "0.bias").data = TensorData::F64(vec![0.1, 0.2, 0.3, 0.4]);
        tensors.push(ReadTensor {
            name: "1.num_batches_tracked".into(),
            shape: vec![],
            data: TensorData::I64(vec![1000]),
            file: PathBuf::from("1.num_batches_tracked.npy"),
        });
        let assigned = assign(&mut model, &tensors, Path::new("dir")).unwrap();
        assert_eq!(assigned.converted, ["0.bias"]);
        assert_eq!(assigned.ignored, ["1.num_batches_tracked"]);
        for ((name, _, got), want) in model.tensors().into_iter().zip(want) {
            if name == "0.bias" {
                assert_eq!(got, [0.1f32, 0.2, 0.3, 0.4]);
            } else {
                assert_eq!(got, want.as_slice(), "{name}");
            }
        }
    }

    #[test]
    fn scalars_may_be_zero_dimensional() {
        let mut model = quad();
        let mut tensors = tensors_for(&model);
        for name in ["w", "b"] {
            find(&mut tensors, name).shape = vec![];
        }
        assign(&mut model, &tensors, Path::new("q.safetensors")).unwrap();
        let mut tensors = tensors_for(&model);
        find(&mut tensors, "W.weight").shape = vec![];
        assert!(refusal(&mut model, &tensors).contains("`W.weight` has shape []"));
    }

    #[test]
    fn a_missing_tensor_is_named_with_its_shape() {
        let mut model = relu();
        let tensors: Vec<_> = tensors_for(&model)
            .into_iter()
            .filter(|t| t.name != "1.running_var")
            .collect();
        assert_eq!(
            refusal(&mut model, &tensors),
            "dir: tensor `1.running_var` is missing (the model needs shape [4])"
        );
    }

    #[test]
    fn an_unknown_tensor_is_named_with_the_known_ones() {
        let mut model = relu();
        let mut tensors = tensors_for(&model);
        find(&mut tensors, "3.bias").name = "4.bias".into();
        let msg = refusal(&mut model, &tensors);
        assert!(
            msg.starts_with("3.bias.npy: unknown tensor `4.bias`;"),
            "{msg}"
        );
        assert!(
            msg.contains("0.weight, 0.bias") && msg.contains("1.num_batches_tracked"),
            "{msg}"
        );
        // A counter where the model has no batch norm is unknown too.
        let mut plain = Model::relu(3, 4, 1, false, &mut rng_for(1, Stream::Init, 0));
        let mut tensors = tensors_for(&plain);
        tensors.push(ReadTensor {
            name: "1.num_batches_tracked".into(),
            shape: vec![],
            data: TensorData::I64(vec![1]),
            file: PathBuf::from("m.safetensors"),
        });
        assert!(refusal(&mut plain, &tensors).contains("unknown tensor `1.num_batches_tracked`"));
    }

    #[test]
    fn a_wrong_shape_is_named_with_the_expected_one() {
        let mut model = relu();
        let mut tensors = tensors_for(&model);
        let t = find(&mut tensors, "0.weight");
        t.shape = vec![3, 4];
        assert_eq!(
            refusal(&mut model, &tensors),
            "0.weight.npy: tensor `0.weight` has shape [3, 4], the configured model needs [4, 3]"
        );
    }

    #[test]
    fn a_dtype_other_than_f32_or_f64_is_named() {
        let mut model = relu();
        for data in [
            TensorData::I64(vec![1; 4]),
            TensorData::Other("BF16".into()),
        ] {
            let mut tensors = tensors_for(&model);
            let dtype = data.dtype().to_string();
            find(&mut tensors, "1.weight").data = data;
            assert_eq!(
                refusal(&mut model, &tensors),
                format!(
                    "1.weight.npy: tensor `1.weight` is {dtype}; weights are read as F32 or F64 (convert with .float())"
                )
            );
        }
    }

    #[test]
    fn non_finite_values_are_named_with_their_index() {
        let mut model = relu();
        for (data, shown) in [
            (TensorData::F32(vec![0.0, f32::NAN, 0.0, 0.0]), "NaN"),
            (
                TensorData::F64(vec![0.0, 0.0, f64::NEG_INFINITY, 0.0]),
                "-inf",
            ),
        ] {
            let mut tensors = tensors_for(&model);
            find(&mut tensors, "1.bias").data = data;
            let msg = refusal(&mut model, &tensors);
            assert!(
                msg.starts_with(&format!(
                    "1.bias.npy: tensor `1.bias` holds {shown} at flat index"
                )),
                "{msg}"
            );
        }
        let mut tensors = tensors_for(&model);
        find(&mut tensors, "1.bias").data = TensorData::F64(vec![0.0, 1e300, 0.0, 0.0]);
        let msg = refusal(&mut model, &tensors);
        assert!(
            msg.contains("`1.bias` holds 1e300 at flat index 1, beyond the F32 range"),
            "{msg}"
        );
    }

    #[test]
    fn values_that_do_not_fill_their_shape_are_refused() {
        let mut model = relu();
        let mut tensors = tensors_for(&model);
        find(&mut tensors, "0.bias").data = TensorData::F32(vec![1.0; 3]);
        let msg = refusal(&mut model, &tensors);
        assert!(
            msg.contains("`0.bias` holds 3 values where its shape needs 4"),
            "{msg}"
        );
    }

    #[test]
    fn a_negative_running_variance_is_refused() {
        let mut model = relu();
        let mut tensors = tensors_for(&model);
        find(&mut tensors, "1.running_var").data = TensorData::F32(vec![1.0, 1.0, -0.5, 1.0]);
        let msg = refusal(&mut model, &tensors);
        assert!(
            msg.contains("`1.running_var` holds -0.5 at flat index 2"),
            "{msg}"
        );
    }
}
