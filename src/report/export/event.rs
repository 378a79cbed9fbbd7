//! TensorBoard's event files: `Event` and `Summary` messages (declared by
//! hand for `prost`, with the field numbers of tensorflow/core/util/
//! event.proto and tensorflow/core/framework/summary.proto), each framed as
//! a TFRecord: length (u64 LE), masked CRC-32C of the length, the message,
//! masked CRC-32C of the message.

use prost::Message;

/// `tensorflow.Event`, with only what regime writes.
#[derive(Clone, PartialEq, Message)]
pub struct Event {
    #[prost(double, tag = "1")]
    pub wall_time: f64,
    #[prost(int64, tag = "2")]
    pub step: i64,
    #[prost(oneof = "What", tags = "3, 5")]
    pub what: Option<What>,
}

/// `Event.what`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum What {
    /// The first event of a file: the format version, `brain.Event:2`.
    #[prost(string, tag = "3")]
    FileVersion(String),
    #[prost(message, tag = "5")]
    Summary(Summary),
}

/// `tensorflow.Summary`.
#[derive(Clone, PartialEq, Message)]
pub struct Summary {
    #[prost(message, repeated, tag = "1")]
    pub value: Vec<Value>,
}

/// `tensorflow.Summary.Value` holding a scalar. `simple_value` is a member
/// of the `value` oneof in the schema: declared `optional` so that 0.0 is
/// still written (a oneof member always is, a plain proto3 float is not).
#[derive(Clone, PartialEq, Message)]
pub struct Value {
    #[prost(string, tag = "1")]
    pub tag: String,
    #[prost(float, optional, tag = "2")]
    pub simple_value: Option<f32>,
}

/// The format marker TensorBoard expects first in every file.
pub const FILE_VERSION: &str = "brain.Event:2";

/// TFRecord's CRC: CRC-32C, rotated and offset so that a CRC of data that
/// holds CRCs stays well distributed.
pub fn masked_crc(bytes: &[u8]) -> u32 {
    let crc = crc32c::crc32c(bytes);
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// Appends one TFRecord holding `data` to `out`.
pub fn frame(data: &[u8], out: &mut Vec<u8>) {
    let len = (data.len() as u64).to_le_bytes();
    out.extend_from_slice(&len);
    out.extend_from_slice(&masked_crc(&len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&masked_crc(data).to_le_bytes());
}

/// One event file: the version event, then `events`.
pub fn file(first_wall_time: f64, events: &[Event]) -> Vec<u8> {
    let mut out = Vec::new();
    let version = Event {
        wall_time: first_wall_time,
        step: 0,
        what: Some(What::FileVersion(FILE_VERSION.into())),
    };
    frame(&version.encode_to_vec(), &mut out);
    for e in events {
        frame(&e.encode_to_vec(), &mut out);
    }
    out
}

/// A scalar event: every (tag, value) at one step.
pub fn scalars(wall_time: f64, step: i64, values: &[(&str, f64)]) -> Event {
    Event {
        wall_time,
        step,
        what: Some(What::Summary(Summary {
            value: values
                .iter()
                .map(|(tag, v)| Value {
                    tag: tag.to_string(),
                    simple_value: Some(*v as f32),
                })
                .collect(),
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records written by TensorBoard's own writer (tensorboard 2.21:
    /// `RecordWriter` over `event_pb2.Event(...).SerializeToString()`):
    /// the version event at wall time 1.5, and a summary at wall time 2.25,
    /// step 30, with `lambda` = 0 and `val_acc` = 0.8125.
    const TB_VERSION: &str =
        "1800000000000000a37f4b2209000000000000f83f1a0d627261696e2e4576656e743a322a28646c";
    const TB_SCALARS: &str = "2c00000000000000f4aecc45090000000000000240101e2a1f0a0d0a066c616d62646115000000000a0e0a0776616c5f616363150000503fe84145ed";

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn records_are_byte_identical_to_tensorboards() {
        let events = [scalars(2.25, 30, &[("lambda", 0.0), ("val_acc", 0.8125)])];
        assert_eq!(
            hex(&file(1.5, &events)),
            format!("{TB_VERSION}{TB_SCALARS}")
        );
    }

    #[test]
    fn masked_crc_of_the_standard_check_string() {
        // CRC-32C("123456789") = 0xE3069283 (RFC 3720's check value);
        // rotated right by 15 it is 0x2507C60D, plus 0xA282EAD8.
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(masked_crc(b"123456789"), 0xC78A_B0E5);
    }

    #[test]
    fn a_zero_scalar_is_still_written() {
        let e = scalars(0.0, 3, &[("lambda", 0.0)]);
        let back = Event::decode(e.encode_to_vec().as_slice()).unwrap();
        let Some(What::Summary(s)) = back.what else {
            panic!("{back:?}")
        };
        assert_eq!(s.value[0].simple_value, Some(0.0));
    }
}
