@description('x')
param a string = 'b'
var v int = 1 + 2 * 3
resource r 'A/b@1' = if (a == 'b') {
  name: 'n'
  properties: {
    a: [
      1
      -2
    ]
  }
  resource c 'd' = {
    name: 'c'
  }
}
output o string = r.?properties!.x ?? a[^1]
type t = { a: string?, *: int }[]
func f(a int) int => a + 1
var l = map([1, 2], (x, i) => {
  ...x
  i: i
})
module m './m.bicep' = [for (x, i) in range(0, 2): {
  name: 'm${i}'
}]
import { a2
 b2 } from 'x.bicep'
var t2 = a
  ? 'a'
  : 'b'
var ml = $'''
${a}'''
