// The forms kit: labelled fields (stacked, inline or with a hidden label) with
// their errors, text boxes, file choosers, selects, radio groups, checkboxes,
// and the inline form that holds a row of fields.
export {
  Field,
  FileField,
  Select,
  TextArea,
  TextField,
  type ControlProps,
  type FieldLayout,
  type Option,
} from './Field';
export { Checkbox, Radio, RadioGroup, type RadioOption } from './Choice';
export { InlineForm } from './InlineForm';
export {
  compactLabelClass,
  errorClass,
  inlineInputClass,
  inputClass,
  labelClass,
  toolbarSelectClass,
} from './styles';
