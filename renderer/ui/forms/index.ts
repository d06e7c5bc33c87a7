// The forms kit: labelled fields with their errors, selects, radio groups, checkboxes.
export { Field, TextField, Select, type ControlProps, type Option } from './Field';
export { Checkbox, Radio, RadioGroup, type RadioOption } from './Choice';
export { compactLabelClass, errorClass, inputClass, labelClass } from './styles';
